import { Args, Flags } from '@oclif/core';
import type { NetworkCreateRequest, NetworkCreateResponse } from '../../../protocol/types/networks.js';
import { BerthCommand } from '../../base.js';

/** `key=value` flags as a map (docker's --label / --opt). */
function keyValues(values: readonly string[] = []): Record<string, string> {
  return Object.fromEntries(values.map((v) => (v.includes('=') ? [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)] : [v, ''])));
}

/** `berth network create`: POST /networks/create; prints the new network's id, as docker does. */
export default class NetworkCreate extends BerthCommand {
  static override description = 'Create a network';
  static override examples = ['<%= config.bin %> network create n', '<%= config.bin %> network create --subnet 10.90.0.0/24 --gateway 10.90.0.1 --internal back'];
  static override args = { name: Args.string({ required: true, ignoreStdin: true, description: 'NETWORK' }) };
  static override flags = {
    driver: Flags.string({ char: 'd', default: 'bridge', description: 'driver to manage the network (bridge)' }),
    subnet: Flags.string({ description: 'subnet in CIDR format' }),
    gateway: Flags.string({ description: 'IPv4 gateway for the subnet' }),
    'ip-range': Flags.string({ description: 'allocate container addresses from a sub-range' }),
    internal: Flags.boolean({ description: 'restrict external access to the network' }),
    attachable: Flags.boolean({ description: 'enable manual container attachment' }),
    ipv6: Flags.boolean({ description: 'enable IPv6 networking' }),
    label: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'set metadata on a network' }),
    opt: Flags.string({ char: 'o', multiple: true, multipleNonGreedy: true, description: 'set driver specific options' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NetworkCreate);
    const pool = { Subnet: flags.subnet, Gateway: flags.gateway, IPRange: flags['ip-range'] };
    const body: NetworkCreateRequest = {
      Name: args.name, Driver: flags.driver, Internal: flags.internal, Attachable: flags.attachable, EnableIPv6: flags.ipv6,
      IPAM: { Driver: 'default', Config: flags.subnet ? [pool] : [], Options: {} }, Options: keyValues(flags.opt), Labels: keyValues(flags.label),
    };
    const client = await this.connect(flags);
    this.log((await client.post<NetworkCreateResponse>('/networks/create', body)).Id);
  }
}
