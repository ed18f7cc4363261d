import { Args } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { eachContainer } from '../../container/each.js';

/** `berth pause`: POST /containers/{id}/pause for each; freezes every process (the cgroup freezer). */
export default class ContainerPause extends ContainerCommand {
  static override description = 'Pause all processes within one or more containers';
  static override aliases = ['pause'];
  static override usage = 'pause CONTAINER [CONTAINER...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> pause web'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER [CONTAINER...]' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerPause);
    const client = await this.containerClient(flags);
    await eachContainer(argv as string[], async (name) => {
      await client.text('POST', `/containers/${name}/pause`);
    });
  }
}
