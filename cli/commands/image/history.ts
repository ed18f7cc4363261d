import { Args, Flags } from '@oclif/core';
import type { HistoryResponseItem } from '../../../protocol/types/images-api.js';
import { BerthCommand } from '../../base.js';
import { DEFAULT_HOST } from '../../host.js';
import { HISTORY_HEADERS, historyFormat, historyRows } from '../../render/history.js';
import { renderListing } from '../../render/listing.js';

/** `berth image history` / `berth history`: GET /images/{name}/history as docker's table. */
export default class ImageHistory extends BerthCommand {
  static override description = 'Show the history of an image';
  static override aliases = ['history'];
  static override examples = ['<%= config.bin %> history busybox', '<%= config.bin %> history -H=false --no-trunc busybox', "<%= config.bin %> history --format '{{.CreatedBy}}' busybox"];
  static override args = { image: Args.string({ required: true, ignoreStdin: true, description: 'IMAGE' }) };
  static override flags = {
    // Here, as in docker, -H is --human; the daemon is named with --host or BERTH_HOST.
    host: Flags.string({ env: 'BERTH_HOST', helpValue: '<unix:///path|tcp://host:port>', description: `daemon to connect to [default: ${DEFAULT_HOST}]`, helpGroup: 'GLOBAL' }),
    human: Flags.boolean({ char: 'H', default: true, allowNo: true, description: 'print sizes and dates in human readable format (-H=false or --no-human for raw)' }),
    'no-trunc': Flags.boolean({ description: "don't truncate output" }),
    quiet: Flags.boolean({ char: 'q', description: 'only show image IDs' }),
    format: Flags.string({ description: "'table', 'table TEMPLATE', 'json' or a Go template such as '{{.CreatedBy}}'" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImageHistory, dockerHumanFlag(this.argv));
    const client = await this.connect(flags);
    const items = await client.get<HistoryResponseItem[]>(`/images/${args.image}/history`);
    const rows = historyRows(items, { human: flags.human, noTrunc: flags['no-trunc'], nowMs: Date.now() });
    process.stdout.write(renderListing(historyFormat(flags.format, flags.quiet, flags.human), rows, HISTORY_HEADERS));
  }
}

/** docker's `-H=false` / `--human=false` (a Go bool flag with a value) as oclif's --no-human. */
export function dockerHumanFlag(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, i) => {
    const m = end !== -1 && i > end ? null : /^(?:-H|--human)=(true|false|1|0)$/i.exec(arg);
    if (!m?.[1]) return arg;
    return ['false', '0'].includes(m[1].toLowerCase()) ? '--no-human' : '--human';
  });
}
