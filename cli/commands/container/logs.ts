import { Args, Flags } from '@oclif/core';
import { inspectContainer } from '../../container/attach.js';
import { ContainerCommand } from '../../container/command.js';
import { copyOutput } from '../../stdio.js';
import { parseTimestamp } from '../../time.js';

/** `berth logs`: inspect (for Config.Tty: raw or multiplexed), then GET /containers/{id}/logs to stdout/stderr. */
export default class ContainerLogs extends ContainerCommand {
  static override description = 'Fetch the logs of a container';
  static override aliases = ['logs'];
  static override usage = 'logs [OPTIONS] CONTAINER';
  static override examples = ['<%= config.bin %> logs web', '<%= config.bin %> logs -f --tail 10 -t web', '<%= config.bin %> logs --since 10m web'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'the container' }) };
  static override flags = {
    follow: Flags.boolean({ default: false, char: 'f', description: 'follow log output' }),
    timestamps: Flags.boolean({ default: false, char: 't', description: 'show timestamps' }),
    tail: Flags.string({ char: 'n', description: 'number of lines to show from the end of the logs', default: 'all' }),
    since: Flags.string({ description: 'show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' }),
    until: Flags.string({ description: 'show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' }),
    details: Flags.boolean({ default: false, description: 'show extra details provided to logs' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ContainerLogs);
    // Query keys in Go's sorted order, values as docker sends them.
    const query = {
      details: flags.details ? '1' : undefined,
      follow: flags.follow ? '1' : undefined,
      since: flags.since === undefined ? undefined : parseTimestamp(flags.since),
      stderr: '1',
      stdout: '1',
      tail: flags.tail,
      timestamps: flags.timestamps ? '1' : undefined,
      until: flags.until === undefined ? undefined : parseTimestamp(flags.until),
    };
    const client = await this.containerClient(flags);
    const c = await inspectContainer(client, args.container);
    const res = await client.stream('GET', `/containers/${c.Id}/logs`, { query });
    await copyOutput(res, !!c.Config.Tty, { stdout: process.stdout, stderr: process.stderr });
  }
}
