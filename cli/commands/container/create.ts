import { Args } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { createPlan } from '../../container/config.js';
import { createContainer } from '../../container/create.js';
import { OptionError } from '../../container/errors.js';
import { createFlags } from '../../container/flags.js';
import { terminalSize } from '../../tty.js';

/** `berth create`: POST /containers/create (pulling the image first if the daemon lacks it); prints the ID. */
export default class ContainerCreate extends ContainerCommand {
  static override description = 'Create a new container';
  static override aliases = ['create'];
  static override usage = 'create [OPTIONS] IMAGE [COMMAND] [ARG...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> create --name web -p 8080:80 busybox httpd -f', '<%= config.bin %> create -it busybox sh'];
  static override args = {
    image: Args.string({ ignoreStdin: true, description: 'the image' }),
    command: Args.string({ ignoreStdin: true, description: 'the command and its arguments' }),
  };

  static override flags = createFlags;

  async run(): Promise<void> {
    const { flags, rest } = await this.parseInterspersed(ContainerCreate);
    const [image, ...cmd] = rest;
    if (!image) throw new OptionError('"create" requires at least 1 argument.');
    const plan = createPlan(flags, image, cmd, terminalSize());
    const client = await this.containerClient(flags);
    this.log(await createContainer(client, plan, flags.quiet));
  }
}
