import { Flags } from '@oclif/core';
import type { VolumeListResponse } from '../../../protocol/types/volumes.js';
import { BerthCommand } from '../../base.js';
import { encodeFilters, parseFilters } from '../../filters.js';
import { renderListing } from '../../render/listing.js';

const HEADERS = { Driver: 'DRIVER', Name: 'VOLUME NAME', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS' };

/** `berth volume ls`: GET /volumes as docker's table, names only (-q), a template or JSON lines. */
export default class VolumeLs extends BerthCommand {
  static override description = 'List volumes';
  static override aliases = ['volume:list'];
  static override examples = ['<%= config.bin %> volume ls', '<%= config.bin %> volume ls -f dangling=true -q'];
  static override flags = {
    quiet: Flags.boolean({ char: 'q', description: 'only display volume names' }),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: "provide filter values (e.g. 'dangling=true')" }),
    format: Flags.string({ description: "'table', 'table TEMPLATE', 'json' or a Go template such as '{{.Name}}'" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumeLs);
    const client = await this.connect(flags);
    const list = await client.get<VolumeListResponse>('/volumes', { filters: encodeFilters(parseFilters(flags.filter ?? [])) });
    for (const w of list.Warnings ?? []) this.logToStderr(w);
    const rows = list.Volumes.map((v) => ({ ...v, Labels: Object.entries(v.Labels ?? {}).map(([k, val]) => `${k}=${val}`).join(',') }));
    const format = flags.quiet ? '{{.Name}}' : flags.format || 'table {{.Driver}}\t{{.Name}}';
    process.stdout.write(renderListing(format, rows, HEADERS));
  }
}
