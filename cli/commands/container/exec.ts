import { Args, Flags } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { OptionError } from '../../container/errors.js';
import { execInContainer } from '../../container/exec.js';

/** `berth exec`: run a command in a running container, attached (hijacked exec start) or with -d. */
export default class ContainerExec extends ContainerCommand {
  static override description = 'Execute a command in a running container';
  static override aliases = ['exec'];
  static override usage = 'exec [OPTIONS] CONTAINER COMMAND [ARG...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> exec web ls /', '<%= config.bin %> exec -it web sh', '<%= config.bin %> exec -d -e MODE=bg web sh -c "sleep 10"'];
  static override args = {
    container: Args.string({ ignoreStdin: true, description: 'the running container' }),
    command: Args.string({ ignoreStdin: true, description: 'the command and its arguments' }),
  };

  static override flags = {
    detach: Flags.boolean({ default: false, char: 'd', description: 'detached mode: run command in the background' }),
    interactive: Flags.boolean({ default: false, char: 'i', description: 'keep STDIN open even if not attached' }),
    tty: Flags.boolean({ default: false, char: 't', description: 'allocate a pseudo-TTY' }),
    env: Flags.string({ char: 'e', multiple: true, multipleNonGreedy: true, description: 'set environment variables' }),
    'env-file': Flags.string({ multiple: true, multipleNonGreedy: true, description: 'read in a file of environment variables' }),
    user: Flags.string({ char: 'u', description: 'username or UID (format: "<name|uid>[:<group|gid>]")' }),
    workdir: Flags.string({ char: 'w', description: 'working directory inside the container' }),
    privileged: Flags.boolean({ default: false, description: 'give extended privileges to the command' }),
    'detach-keys': Flags.string({ description: 'override the key sequence for detaching a container' }),
  };

  async run(): Promise<void> {
    const { flags, rest } = await this.parseInterspersed(ContainerExec);
    const [container, ...cmd] = rest;
    if (!container || cmd.length === 0) throw new OptionError('"exec" requires at least 2 arguments.');
    const client = await this.containerClient(flags);
    this.exit(await execInContainer(client, container, cmd, {
      detach: flags.detach, interactive: flags.interactive, tty: flags.tty, user: flags.user, workdir: flags.workdir,
      privileged: flags.privileged, env: flags.env ?? [], envFile: flags['env-file'] ?? [], detachKeys: flags['detach-keys'],
    }));
  }
}
