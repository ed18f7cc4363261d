import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../../base.js';

/** `berth network disconnect`: POST /networks/{id}/disconnect. */
export default class NetworkDisconnect extends BerthCommand {
  static override description = 'Disconnect a container from a network';
  static override examples = ['<%= config.bin %> network disconnect n web'];
  static override args = {
    network: Args.string({ required: true, ignoreStdin: true, description: 'NETWORK' }),
    container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER' }),
  };
  static override flags = { force: Flags.boolean({ char: 'f', description: 'force the container to disconnect from a network' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NetworkDisconnect);
    const client = await this.connect(flags);
    await client.post(`/networks/${encodeURIComponent(args.network)}/disconnect`, { Container: args.container, Force: flags.force });
  }
}
