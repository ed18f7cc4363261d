/** The rows of `berth history`, after docker's history formatter. */
import type { HistoryResponseItem } from '../../protocol/types/images-api.js';
import { rfc3339 } from './gotime.js';
import { humanSize, since } from './humanize.js';
import { TABLE } from './listing.js';
import { truncateId } from './images.js';

/** One layer of history as templates see it (keys sorted, as Go's JSON has them). */
export interface HistoryRow {
  Comment: string;
  CreatedAt: string;
  CreatedBy: string;
  CreatedSince: string;
  ID: string;
  Size: string;
}

/** The header of each field in a table. */
export const HISTORY_HEADERS: Readonly<Record<keyof HistoryRow, string>> = {
  Comment: 'COMMENT', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', CreatedSince: 'CREATED', ID: 'IMAGE', Size: 'SIZE',
};

/** `human` is docker's -H (default on); `nowMs` the clock for CREATED. */
export interface HistoryRowOptions {
  human: boolean;
  noTrunc: boolean;
  nowMs: number;
}

/** docker's NewHistoryFormat: `{{.ID}}` for -q, CREATED AT and raw sizes without -H. */
export function historyFormat(format: string | undefined, quiet: boolean, human: boolean): string {
  const source = format || TABLE;
  if (source !== TABLE) return source;
  if (quiet) return '{{.ID}}';
  const created = human ? '{{.CreatedSince}}' : '{{.CreatedAt}}';
  return `table {{.ID}}\t${created}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}`;
}

/** Cuts to `width` runes with a final `…`, as docker's formatter.Ellipsis. */
export function ellipsis(text: string, width: number): string {
  const runes = [...text];
  return runes.length <= width ? text : `${runes.slice(0, width - 1).join('')}…`;
}

const CREATED_BY_WIDTH = 45;

/** The rows, newest layer first (the daemon's order). */
export function historyRows(items: readonly HistoryResponseItem[], options: HistoryRowOptions): HistoryRow[] {
  return items.map((item) => {
    const createdAt = rfc3339(item.Created);
    const createdBy = item.CreatedBy.replaceAll('\t', ' ');
    return {
      Comment: item.Comment,
      CreatedAt: createdAt,
      CreatedBy: options.noTrunc ? createdBy : ellipsis(createdBy, CREATED_BY_WIDTH),
      CreatedSince: options.human ? since(item.Created, options.nowMs) : createdAt,
      ID: options.noTrunc ? item.Id : truncateId(item.Id),
      Size: options.human ? humanSize(item.Size, 3) : String(item.Size),
    };
  });
}
