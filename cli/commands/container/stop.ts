import { Args, Flags } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { eachContainer } from '../../container/each.js';

/** `berth stop`: POST /containers/{id}/stop for each, the stop signal then SIGKILL after -t seconds. */
export default class ContainerStop extends ContainerCommand {
  static override description = 'Stop one or more running containers';
  static override aliases = ['stop'];
  static override usage = 'stop [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> stop web', '<%= config.bin %> stop -t 0 web db'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER [CONTAINER...]' }) };
  static override flags = {
    time: Flags.integer({ char: 't', aliases: ['timeout'], description: 'seconds to wait before killing the container' }),
    signal: Flags.string({ char: 's', description: 'signal to send to the container' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerStop);
    const client = await this.containerClient(flags);
    const query = { signal: flags.signal, t: flags.time === undefined ? undefined : String(flags.time) };
    await eachContainer(argv as string[], async (name) => {
      await client.text('POST', `/containers/${name}/stop`, { query });
    });
  }
}
