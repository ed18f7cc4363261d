import { Args } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { eachContainer } from '../../container/each.js';

/** `berth unpause`: POST /containers/{id}/unpause for each; thaws the processes that pause froze. */
export default class ContainerUnpause extends ContainerCommand {
  static override description = 'Unpause all processes within one or more containers';
  static override aliases = ['unpause'];
  static override usage = 'unpause CONTAINER [CONTAINER...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> unpause web'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER [CONTAINER...]' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerUnpause);
    const client = await this.containerClient(flags);
    await eachContainer(argv as string[], async (name) => {
      await client.text('POST', `/containers/${name}/unpause`);
    });
  }
}
