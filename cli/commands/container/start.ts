import { Args, Flags } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { StatusError } from '../../container/errors.js';
import { startAttached } from '../../container/start.js';
import { describeError } from '../../errors.js';

/** `berth start`: POST /containers/{id}/start for each; with -a or -i, attached to one, as `docker start`. */
export default class ContainerStart extends ContainerCommand {
  static override description = 'Start one or more stopped containers';
  static override aliases = ['start'];
  static override usage = 'start [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> start web', '<%= config.bin %> start -ai shell'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER [CONTAINER...]' }) };
  static override flags = {
    attach: Flags.boolean({ default: false, char: 'a', description: 'attach STDOUT/STDERR and forward signals' }),
    interactive: Flags.boolean({ default: false, char: 'i', description: "attach container's STDIN" }),
    'detach-keys': Flags.string({ description: 'override the key sequence for detaching a container' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerStart);
    const names = argv as string[];
    const client = await this.containerClient(flags);
    if (flags.attach || flags.interactive) {
      if (names.length > 1) throw new StatusError(1, 'you cannot start and attach multiple containers at once');
      this.exit(await startAttached(client, names[0]!, { stdin: flags.interactive, detachKeys: flags['detach-keys'] }));
    }
    const failed: string[] = [];
    for (const name of names) {
      try {
        await client.text('POST', `/containers/${name}/start`);
        this.log(name);
      } catch (err) {
        this.logToStderr(describeError(err));
        failed.push(name);
      }
    }
    if (failed.length > 0) throw new StatusError(1, `Error: failed to start containers: ${failed.join(', ')}`);
  }
}
