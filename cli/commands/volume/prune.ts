import { Flags } from '@oclif/core';
import type { VolumePruneResponse } from '../../../protocol/types/volumes.js';
import { BerthCommand } from '../../base.js';
import { encodeFilters, parseFilters } from '../../filters.js';
import { confirm } from '../../prompt.js';
import { humanSize } from '../../render/humanize.js';

const ANONYMOUS_WARNING = 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
const ALL_WARNING = 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?';

/** `berth volume prune`: POST /volumes/prune (anonymous volumes, all unused ones with -a), after docker's confirmation unless -f. */
export default class VolumePrune extends BerthCommand {
  static override description = 'Remove unused local volumes';
  static override examples = ['<%= config.bin %> volume prune -f', '<%= config.bin %> volume prune -a -f --filter label=tmp'];
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'remove all unused volumes, not just anonymous ones' }),
    force: Flags.boolean({ char: 'f', description: 'do not prompt for confirmation' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: "provide filter values (e.g. 'label=<label>')" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumePrune);
    const filters = parseFilters(flags.filter ?? []);
    if (flags.all) filters.all = ['true'];
    // A "no" ends the command quietly with status 0, as docker's does.
    if (!flags.force && !(await confirm(flags.all ? ALL_WARNING : ANONYMOUS_WARNING))) return;
    const client = await this.connect(flags);
    const r = await client.post<VolumePruneResponse>('/volumes/prune', undefined, { filters: encodeFilters(filters) });
    const names = r.VolumesDeleted ?? [];
    process.stdout.write(`${names.length ? `Deleted Volumes:\n${names.map((n) => `${n}\n`).join('')}\n` : ''}Total reclaimed space: ${humanSize(r.SpaceReclaimed)}\n`);
  }
}
