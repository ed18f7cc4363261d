import { Flags } from '@oclif/core';
import type { NetworkPruneResponse } from '../../../protocol/types/networks.js';
import { BerthCommand } from '../../base.js';
import { encodeFilters, parseFilters } from '../../filters.js';
import { confirm } from '../../prompt.js';

const WARNING = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

/** `berth network prune`: POST /networks/prune, after docker's confirmation unless -f. */
export default class NetworkPrune extends BerthCommand {
  static override description = 'Remove all unused networks';
  static override examples = ['<%= config.bin %> network prune -f', '<%= config.bin %> network prune -f --filter label=tmp'];
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'do not prompt for confirmation' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: "provide filter values (e.g. 'until=<timestamp>')" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NetworkPrune);
    // A "no" ends the command quietly with status 0, as docker's does.
    if (!flags.force && !(await confirm(WARNING))) return;
    const client = await this.connect(flags);
    const r = await client.post<NetworkPruneResponse>('/networks/prune', undefined, { filters: encodeFilters(parseFilters(flags.filter ?? [])) });
    const names = r.NetworksDeleted ?? [];
    if (names.length > 0) process.stdout.write(`Deleted Networks:\n${names.join('\n')}\n`);
  }
}
