import { Args } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { StatusError } from '../../container/errors.js';
import { describeError } from '../../errors.js';

/** `berth rename`: POST /containers/{id}/rename?name=; prints nothing, as docker. */
export default class ContainerRename extends ContainerCommand {
  static override description = 'Rename a container';
  static override aliases = ['rename'];
  static override usage = 'rename CONTAINER NEW_NAME';
  static override examples = ['<%= config.bin %> rename web web-old'];
  static override args = {
    container: Args.string({ required: true, ignoreStdin: true, description: 'the container to rename' }),
    name: Args.string({ required: true, ignoreStdin: true, description: 'its new name' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ContainerRename);
    const name = args.name.trim();
    if (name === '' || args.container.trim() === '') throw new StatusError(1, 'Error: Neither old nor new names may be empty');
    const client = await this.containerClient(flags);
    await client.text('POST', `/containers/${args.container}/rename`, { query: { name } }).catch((err: unknown) => {
      // docker adds its own line under the daemon's.
      throw new StatusError(1, `${describeError(err)}\nError: failed to rename container named ${args.container}`);
    });
  }
}
