import { Flags } from '@oclif/core';
import type { ImagePruneResponse } from '../../../protocol/types/images-api.js';
import { BerthCommand } from '../../base.js';
import { encodeFilters, parseFilters } from '../../filters.js';
import { confirm } from '../../prompt.js';
import { pruneReport } from '../../render/image-delete.js';

const DANGLING_WARNING = 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';
const ALL_WARNING = 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?';

/** `berth image prune`: POST /images/prune, after docker's confirmation unless -f. */
export default class ImagePrune extends BerthCommand {
  static override description = 'Remove unused images';
  static override examples = ['<%= config.bin %> image prune -f', '<%= config.bin %> image prune -a -f --filter until=24h'];
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'remove all unused images, not just dangling ones' }),
    force: Flags.boolean({ char: 'f', description: 'do not prompt for confirmation' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'provide filter values (e.g. until=<timestamp>, label=<key>=<value>)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ImagePrune);
    const filters = parseFilters(flags.filter ?? []);
    filters.dangling = [String(!flags.all)];
    // A "no" ends the command quietly with status 0, as docker's does.
    if (!flags.force && !(await confirm(flags.all ? ALL_WARNING : DANGLING_WARNING))) return;
    const client = await this.connect(flags);
    const report = await client.post<ImagePruneResponse>('/images/prune', undefined, { filters: encodeFilters(filters) });
    process.stdout.write(pruneReport(report));
  }
}
