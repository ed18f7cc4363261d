import { Args } from '@oclif/core';
import type { ContainerWaitResponse } from '../../../protocol/types/containers.js';
import { ContainerCommand } from '../../container/command.js';
import { eachContainer } from '../../container/each.js';

/** `berth wait`: POST /containers/{id}/wait for each, printing the exit codes in order. */
export default class ContainerWait extends ContainerCommand {
  static override description = 'Block until one or more containers stop, then print their exit codes';
  static override aliases = ['wait'];
  static override usage = 'wait CONTAINER [CONTAINER...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> wait web'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER [CONTAINER...]' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerWait);
    const client = await this.containerClient(flags);
    await eachContainer(argv as string[], async (name) => {
      const result = JSON.parse(await client.text('POST', `/containers/${name}/wait`)) as ContainerWaitResponse;
      if (result.Error?.Message) throw new Error(result.Error.Message);
      return String(result.StatusCode);
    });
  }
}
