/** The text of `berth container prune`, as docker prints it. */
import { humanSize } from './humanize.js';

/** POST /containers/prune's answer (ContainerPruneResponse). */
export interface ContainerPruneResponse {
  ContainersDeleted?: string[] | null;
  SpaceReclaimed?: number;
}

/** `Deleted Containers:` with one ID a line and a blank line (when any), then the space reclaimed. */
export function containerPruneReport(report: ContainerPruneResponse): string {
  const ids = report.ContainersDeleted ?? [];
  const list = ids.length === 0 ? '' : `Deleted Containers:\n${ids.map((id) => `${id}\n`).join('')}\n`;
  return `${list}Total reclaimed space: ${humanSize(report.SpaceReclaimed ?? 0)}\n`;
}
