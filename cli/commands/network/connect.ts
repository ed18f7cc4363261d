import { Args, Flags } from '@oclif/core';
import type { NetworkConnectRequest } from '../../../protocol/types/networks.js';
import { BerthCommand } from '../../base.js';

/** `berth network connect`: POST /networks/{id}/connect, with a static address and aliases. */
export default class NetworkConnect extends BerthCommand {
  static override description = 'Connect a container to a network';
  static override examples = ['<%= config.bin %> network connect n web', '<%= config.bin %> network connect --ip 10.90.0.9 --alias db n web'];
  static override args = {
    network: Args.string({ required: true, ignoreStdin: true, description: 'NETWORK' }),
    container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER' }),
  };
  static override flags = {
    ip: Flags.string({ description: 'IPv4 address' }),
    alias: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'add network-scoped alias for the container' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NetworkConnect);
    const body: NetworkConnectRequest = {
      Container: args.container,
      EndpointConfig: { ...(flags.ip && { IPAMConfig: { IPv4Address: flags.ip } }), ...(flags.alias && { Aliases: flags.alias }) },
    };
    const client = await this.connect(flags);
    await client.post(`/networks/${encodeURIComponent(args.network)}/connect`, body);
  }
}
