import { Args, Flags } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { eachContainer } from '../../container/each.js';
import { DaemonError } from '../../errors.js';

/** `berth rm`: DELETE /containers/{id} for each; with -f a missing container is reported, not fatal. */
export default class ContainerRm extends ContainerCommand {
  static override description = 'Remove one or more containers';
  static override aliases = ['rm', 'container:remove'];
  static override usage = 'rm [OPTIONS] CONTAINER [CONTAINER...]';
  static override strict = false;
  static override examples = ['<%= config.bin %> rm web', '<%= config.bin %> rm -f -v web'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER [CONTAINER...]' }) };
  static override flags = {
    force: Flags.boolean({ default: false, char: 'f', description: 'force the removal of a running container (uses SIGKILL)' }),
    volumes: Flags.boolean({ default: false, char: 'v', description: 'remove anonymous volumes associated with the container' }),
    link: Flags.boolean({ default: false, char: 'l', description: 'remove the specified link' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(ContainerRm);
    const client = await this.containerClient(flags);
    const query = { force: flags.force ? '1' : undefined, link: flags.link ? '1' : undefined, v: flags.volumes ? '1' : undefined };
    const missing = (err: unknown): boolean => flags.force && err instanceof DaemonError && err.status === 404;
    await eachContainer(argv as string[], async (name) => {
      await client.text('DELETE', `/containers/${name}`, { query });
    }, missing);
  }
}
