import { Args } from '@oclif/core';
import { inspectContainer } from '../../container/attach.js';
import { ContainerCommand } from '../../container/command.js';
import { StatusError } from '../../container/errors.js';
import { portLines } from '../../render/ports.js';

/** `berth port`: the published ports of a container, read from its inspect document as docker does. */
export default class ContainerPort extends ContainerCommand {
  static override description = 'List port mappings or a specific mapping for the container';
  static override aliases = ['port'];
  static override usage = 'port CONTAINER [PRIVATE_PORT[/PROTO]]';
  static override examples = ['<%= config.bin %> port web', '<%= config.bin %> port web 80/tcp'];
  static override args = {
    container: Args.string({ required: true, ignoreStdin: true, description: 'the container' }),
    port: Args.string({ ignoreStdin: true, description: 'PRIVATE_PORT[/PROTO]' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ContainerPort);
    const client = await this.containerClient(flags);
    const c = await inspectContainer(client, args.container);
    const lines = portLines(c.NetworkSettings?.Ports ?? {}, args.port);
    if (lines === undefined) throw new StatusError(1, `Error: No public port '${args.port}' published for ${args.container}`);
    if (lines.length > 0) this.log(lines.join('\n'));
  }
}
