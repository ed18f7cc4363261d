import { fromPromise } from 'xstate';
import type { Volume, VolumeCreateOptions } from '../../protocol/types/volumes.js';
import type { EngineContext } from '../context.js';
import type { ResourceEvent } from '../kernel/bus.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'volume.create': JobType<VolumeCreateOptions, Volume>;
  }
}

declare module '../kernel/bus.js' {
  interface Topics {
    'volume.create': ResourceEvent;
    'volume.destroy': ResourceEvent;
    'volume.mount': ResourceEvent;
    'volume.unmount': ResourceEvent;
    'volume.prune': ResourceEvent;
  }
}

/** Tells event listeners a volume was made (dockerd's `volume create` event). */
export function publishVolumeCreate(ctx: EngineContext, v: Volume): void {
  ctx.bus.publish('volume.create', { id: v.Name, attributes: { driver: v.Driver } });
}

/** volume.create (POST /volumes/create): a new volume, or the existing one of that name. */
export const volumeCreateJob = defineJob(
  'volume.create',
  fromPromise(async ({ input }: { input: JobInput<VolumeCreateOptions> }) => {
    const ctx = input.ctx as EngineContext;
    const v = await ctx.call('volumes', 'create', [input.args]);
    publishVolumeCreate(ctx, v);
    return v;
  }),
  (a) => a.Name ?? '',
);
