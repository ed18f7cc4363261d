import { Args } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { createPlan } from '../../container/config.js';
import { OptionError } from '../../container/errors.js';
import { runFlags } from '../../container/flags.js';
import { runContainer } from '../../container/run.js';
import { terminalSize } from '../../tty.js';

/** `berth run` / `berth container run`: create, attach, start and wait, as `docker run` does. */
export default class ContainerRun extends ContainerCommand {
  static override description = 'Create and run a new container from an image';
  static override aliases = ['run'];
  static override usage = 'run [OPTIONS] IMAGE [COMMAND] [ARG...]';
  static override strict = false;
  static override examples = [
    '<%= config.bin %> run --rm busybox echo hi',
    '<%= config.bin %> run -it busybox sh',
    '<%= config.bin %> run -d --name web -p 8080:80 busybox httpd -f',
  ];

  static override args = {
    image: Args.string({ ignoreStdin: true, description: 'the image to run' }),
    command: Args.string({ ignoreStdin: true, description: 'the command and its arguments' }),
  };

  static override flags = runFlags;

  async run(): Promise<void> {
    const { flags, rest } = await this.parseInterspersed(ContainerRun);
    const [image, ...cmd] = rest;
    if (!image) throw new OptionError('"run" requires at least 1 argument.');
    if (flags.detach && flags.attach) throw new OptionError('conflicting options: cannot specify both --attach and --detach');
    const plan = createPlan(flags, image, cmd, terminalSize());
    const client = await this.containerClient(flags);
    const status = await runContainer(client, {
      ...plan, detach: flags.detach, detachKeys: flags['detach-keys'], sigProxy: flags['sig-proxy'], quiet: flags.quiet,
    });
    // Always leave through exit: stdin may still be open for reading, which would keep the process up.
    this.exit(status);
  }
}
