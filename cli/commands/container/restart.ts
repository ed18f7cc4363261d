import { Args, Flags } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { eachContainer } from '../../container/each.js';

/** `berth restart`: POST /containers/{id}/restart for each (stop with -t, then start). */
export default class ContainerRestart extends ContainerCommand {
  static override description = 'Restart one or more containers';
  static override aliases = ['restart'];
  static override usage = 'restart [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> restart web', '<%= config.bin %> restart -t 0 web'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER [CONTAINER...]' }) };
  static override flags = {
    time: Flags.integer({ char: 't', aliases: ['timeout'], description: 'seconds to wait before killing the container' }),
    signal: Flags.string({ char: 's', description: 'signal to send to the container' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerRestart);
    const client = await this.containerClient(flags);
    const query = { signal: flags.signal, t: flags.time === undefined ? undefined : String(flags.time) };
    await eachContainer(argv as string[], async (name) => {
      await client.text('POST', `/containers/${name}/restart`, { query });
    });
  }
}
