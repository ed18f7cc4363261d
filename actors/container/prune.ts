import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { fromPromise } from 'xstate';
import { invalidParameter } from '../../protocol/errdefs.js';
import { labelsAllow, type Filters } from '../../protocol/filters.js';
import type { ContainerPruneResponse } from '../../protocol/types/container-ops.js';
import type { EngineContext } from '../context.js';
import type { ResourceEvent } from '../kernel/bus.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { deleteContainer } from './delete.js';

/** The filter keys POST /containers/prune accepts. */
export const CONTAINER_PRUNE_FILTERS = ['label', 'label!', 'until'] as const;

declare module '../kernel/job.js' {
  interface Jobs {
    'container.prune': JobType<{ filters: Filters }, ContainerPruneResponse>;
  }
}

declare module '../kernel/bus.js' {
  interface Topics {
    'container.prune': ResourceEvent;
  }
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("10m", "1h30m", "1.5h") in milliseconds, null when it is not one. */
export function goDurationMs(v: string): number | null {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) return null;
  let ms = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}

/** The `until` filter as a time (ms): unix seconds, an RFC 3339 date, or a duration before now (dockerd's forms). */
export function untilOf(f: Filters, now: number): number | null {
  const values = f.get('until') ?? [];
  if (values.length > 1) throw invalidParameter('more than one until filter specified');
  const v = values[0];
  if (v === undefined) return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const d = goDurationMs(v);
  if (d !== null) return now - d;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidParameter(`failed to parse value as time or duration: "${v}"`);
  return t;
}

/** Whether a container's labels pass `label` (all match) and `label!` (not all match), as dockerd's matchLabels. */
export function pruneLabelsAllow(f: Filters, labels: Record<string, string>): boolean {
  if (!labelsAllow(f, labels)) return false;
  const not = f.get('label!');
  return !not?.length || !labelsAllow(new Map([['label', not]]), labels);
}

/** The bytes a container's writable layer adds (its added and changed files), for SpaceReclaimed. */
async function layerSize(ctx: EngineContext, r: ContainerRecord): Promise<number> {
  const changes = await ctx.call('graphdriver', 'changes', [r.rwLayer, r.imageLayer]);
  const root = await ctx.call('graphdriver', 'get', [r.rwLayer]);
  let size = 0;
  try {
    for (const c of changes.filter((x) => x.Kind !== 2)) {
      const st = await lstat(path.join(root, c.Path)).catch(() => null);
      if (st?.isFile()) size += st.size;
    }
  } finally {
    await ctx.call('graphdriver', 'put', [r.rwLayer]);
  }
  return size;
}

/**
 * Removes every container that is not running (nor paused, restarting or being removed) and passes the
 * filters; one that cannot be removed is skipped, as dockerd does. Reports what went and the bytes freed.
 */
export async function pruneContainers(ctx: EngineContext, filters: Filters): Promise<ContainerPruneResponse> {
  const until = untilOf(filters, ctx.clock.now());
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const r of await ctx.call('containers', 'all', [])) {
    if (r.State.Running || r.State.Restarting || r.State.Status === 'removing') continue;
    if ((until !== null && Date.parse(r.Created) > until) || !pruneLabelsAllow(filters, r.Config.Labels ?? {})) continue;
    const size = await layerSize(ctx, r).catch(() => 0);
    try {
      await deleteContainer(ctx, { ref: r.Id, force: false, volumes: false });
    } catch (err) {
      ctx.log.warn(`prune: cannot remove container ${r.Id.slice(0, 12)}: ${(err as Error).message}`);
      continue;
    }
    deleted.push(r.Id);
    reclaimed += size;
  }
  ctx.bus.publish('container.prune', { id: '', attributes: { reclaimed: String(reclaimed) } });
  return { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
}

/** container.prune (POST /containers/prune). */
export const pruneJob = defineJob(
  'container.prune',
  fromPromise(async ({ input }: { input: JobInput<{ filters: Filters }> }) => pruneContainers(input.ctx as EngineContext, input.args.filters)),
);
