import { Flags } from '@oclif/core';
import { ContainerCommand } from '../../container/command.js';
import { encodeFilters, parseFilters } from '../../filters.js';
import { confirm } from '../../prompt.js';
import { containerPruneReport, type ContainerPruneResponse } from '../../render/container-prune.js';

const WARNING = 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?';

/** `berth container prune`: POST /containers/prune, after docker's confirmation unless -f. */
export default class ContainerPrune extends ContainerCommand {
  static override description = 'Remove all stopped containers';
  static override usage = 'container prune [OPTIONS]';
  static override examples = ['<%= config.bin %> container prune -f', '<%= config.bin %> container prune -f --filter until=24h'];
  static override flags = {
    force: Flags.boolean({ default: false, char: 'f', description: 'do not prompt for confirmation' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: "provide filter values (e.g. 'until=<timestamp>')" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ContainerPrune);
    const filters = parseFilters(flags.filter ?? []);
    // A "no" ends the command quietly with status 0, as docker's does.
    if (!flags.force && !(await confirm(WARNING))) return;
    const client = await this.containerClient(flags);
    const report = await client.post<ContainerPruneResponse>('/containers/prune', undefined, { filters: encodeFilters(filters) });
    process.stdout.write(containerPruneReport(report));
  }
}
