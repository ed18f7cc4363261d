import { fromPromise } from 'xstate';
import type { Filters } from '../../protocol/filters.js';
import type { VolumePruneResponse } from '../../protocol/types/volumes.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'volume.delete': JobType<{ name: string; force: boolean }, void>;
    'volume.prune': JobType<{ filters: Filters }, VolumePruneResponse>;
  }
}

/** Tells event listeners a volume went (dockerd's `volume destroy` event). */
export function publishVolumeDestroy(ctx: EngineContext, name: string): void {
  ctx.bus.publish('volume.destroy', { id: name, attributes: { driver: 'local' } });
}

/** volume.delete (DELETE /volumes/{name}): 409 while a container uses it. */
export const volumeDeleteJob = defineJob(
  'volume.delete',
  fromPromise(async ({ input }: { input: JobInput<{ name: string; force: boolean }> }) => {
    const ctx = input.ctx as EngineContext;
    await ctx.call('volumes', 'remove', [input.args.name, input.args.force]);
    publishVolumeDestroy(ctx, input.args.name);
  }),
  (a) => `${a.name}${a.force ? ', force' : ''}`,
);

/** volume.prune (POST /volumes/prune): unused anonymous volumes (all unused ones with `all=true`). */
export const volumePruneJob = defineJob(
  'volume.prune',
  fromPromise(async ({ input }: { input: JobInput<{ filters: Filters }> }) => {
    const ctx = input.ctx as EngineContext;
    const r = await ctx.call('volumes', 'prune', [input.args.filters]);
    for (const name of r.VolumesDeleted ?? []) publishVolumeDestroy(ctx, name);
    ctx.bus.publish('volume.prune', { id: '', attributes: { reclaimed: String(r.SpaceReclaimed) } });
    return r;
  }),
);
