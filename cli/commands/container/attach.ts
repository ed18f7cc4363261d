import { Args, Flags } from '@oclif/core';
import { attachExisting } from '../../container/attach-existing.js';
import { ContainerCommand } from '../../container/command.js';

/** `berth attach`: the local stdin, stdout and stderr connected to a running container, as `docker attach`. */
export default class ContainerAttach extends ContainerCommand {
  static override description = "Attach local standard input, output, and error streams to a running container";
  static override aliases = ['attach'];
  static override usage = 'attach [OPTIONS] CONTAINER';
  static override examples = ['<%= config.bin %> attach web', '<%= config.bin %> attach --detach-keys ctrl-x shell'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'the container' }) };
  static override flags = {
    'no-stdin': Flags.boolean({ default: false, description: 'do not attach STDIN' }),
    'sig-proxy': Flags.boolean({ description: 'proxy all received signals to the process', default: true, allowNo: true }),
    'detach-keys': Flags.string({ description: 'override the key sequence for detaching a container' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ContainerAttach);
    const client = await this.containerClient(flags);
    const status = await attachExisting(client, args.container, { noStdin: flags['no-stdin'], sigProxy: flags['sig-proxy'], detachKeys: flags['detach-keys'] });
    this.exit(status);
  }
}
