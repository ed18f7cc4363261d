import { fromPromise } from 'xstate';
import { type Change, ChangeKind } from '../../drivers/graph/backend.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import type { ContainerRecord } from '../services/containers/record.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'container.changes': JobType<{ ref: string }, Change[]>;
  }
}

/**
 * What the runtime puts in every rootfs (mount targets, the files bound over /etc). dockerd keeps
 * them in an init layer under the container's own, so they never show in its changes or commits;
 * berth has no init layer and leaves them out here instead.
 */
const INIT_PATHS = ['/dev', '/proc', '/sys', '/.dockerenv', '/etc/resolv.conf', '/etc/hosts', '/etc/hostname', '/etc/mtab'];
/** Directories whose content is the runtime's (device nodes, mounts), never the container's. */
const INIT_TREES = ['/dev/', '/proc/', '/sys/'];

const isInit = (p: string) => INIT_PATHS.includes(p) || INIT_TREES.some((t) => p.startsWith(t));

/**
 * The container's changes without the runtime's: init paths go, and so do the "modified" parent
 * directories that were modified only by them (adding /etc/hostname touches /etc).
 */
export function withoutInitPaths(changes: Change[]): Change[] {
  const kept = changes.filter((c) => !isInit(c.Path));
  const initParents = new Set(changes.filter((c) => isInit(c.Path)).flatMap((c) => ancestors(c.Path)));
  const needed = new Set(kept.filter((c) => !initParents.has(c.Path) || c.Kind !== ChangeKind.Modified).flatMap((c) => [c.Path, ...ancestors(c.Path)]));
  return kept.filter((c) => c.Kind !== ChangeKind.Modified || !initParents.has(c.Path) || needed.has(c.Path));
}

function ancestors(p: string): string[] {
  const out: string[] = [];
  for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) out.push(p.slice(0, i));
  return out;
}

/** The changes of a container's writable layer against its image, as dockerd reports them. */
export async function containerChanges(ctx: EngineContext, r: ContainerRecord): Promise<Change[]> {
  return withoutInitPaths(await ctx.call('graphdriver', 'changes', [r.rwLayer, r.imageLayer]));
}

/** container.changes (GET /containers/{id}/changes). */
export const changesJob = defineJob(
  'container.changes',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string }> }) => {
    const ctx = input.ctx as EngineContext;
    return containerChanges(ctx, await ctx.call('containers', 'find', [input.args.ref]));
  }),
  (a) => a.ref,
);
