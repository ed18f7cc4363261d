import { Args } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { OptionError } from '../../container/errors.js';
import { tabwrite } from '../../render/tabwriter.js';

/** `berth top`: GET /containers/{id}/top?ps_args=, in docker's columns (tabwriter, min width 20). */
export default class ContainerTop extends ContainerCommand {
  static override description = 'Display the running processes of a container';
  static override aliases = ['top'];
  static override usage = 'top CONTAINER [ps OPTIONS]';
  static override strict = false;
  static override examples = ['<%= config.bin %> top web', '<%= config.bin %> top web -o pid,comm'];
  static override args = {
    container: Args.string({ ignoreStdin: true, description: 'the running container' }),
    'ps options': Args.string({ ignoreStdin: true, description: 'options for ps, passed as they are' }),
  };

  async run(): Promise<void> {
    // The ps options may look like flags (`-o pid`): everything after the container is theirs.
    const { flags, rest } = await this.parseInterspersed(ContainerTop);
    const [container, ...psArgs] = rest;
    if (!container) throw new OptionError('"top" requires at least 1 argument.');
    const client = await this.containerClient(flags);
    const query = { ps_args: psArgs.length > 0 ? psArgs.join(' ') : undefined };
    const top = await client.get<{ Titles: string[]; Processes: string[][] | null }>(`/containers/${container}/top`, query);
    const lines = [top.Titles, ...(top.Processes ?? [])].map((cells) => `${cells.join('\t')}\n`).join('');
    process.stdout.write(tabwrite(lines, { minWidth: 20, padding: 3 }));
  }
}
