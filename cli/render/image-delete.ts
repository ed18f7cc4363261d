/** The text of `berth rmi` and `berth image prune`, as docker prints them. */
import type { ImageDeleteResponseItem, ImagePruneResponse } from '../../protocol/types/images-api.js';
import { humanSize } from './humanize.js';

/** `Untagged: …` / `Deleted: …`, one line each (empty when nothing was removed). */
export function deleteLines(items: readonly ImageDeleteResponseItem[]): string {
  return items.map((item) => (item.Deleted ? `Deleted: ${item.Deleted}\n` : `Untagged: ${item.Untagged ?? ''}\n`)).join('');
}

/** The prune report: the deleted list (lower case, then a blank line) and the space reclaimed. */
export function pruneReport(report: ImagePruneResponse): string {
  const items = report.ImagesDeleted ?? [];
  const list = items.length === 0
    ? ''
    : `Deleted Images:\n${items.map((item) => (item.Untagged ? `untagged: ${item.Untagged}\n` : `deleted: ${item.Deleted ?? ''}\n`)).join('')}\n`;
  return `${list}Total reclaimed space: ${humanSize(report.SpaceReclaimed ?? 0)}\n`;
}
