import { fromPromise } from 'xstate';
import type { Filters } from '../../protocol/filters.js';
import type { Volume, VolumeListResponse } from '../../protocol/types/volumes.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'volume.inspect': JobType<{ name: string }, Volume>;
    'volume.list': JobType<{ filters: Filters }, VolumeListResponse>;
  }
}

/** volume.inspect (GET /volumes/{name}). */
export const volumeInspectJob = defineJob(
  'volume.inspect',
  fromPromise(async ({ input }: { input: JobInput<{ name: string }> }) => (input.ctx as EngineContext).call('volumes', 'inspect', [input.args.name])),
  (a) => a.name,
);

/** volume.list (GET /volumes). */
export const volumeListJob = defineJob(
  'volume.list',
  fromPromise(async ({ input }: { input: JobInput<{ filters: Filters }> }) => (input.ctx as EngineContext).call('volumes', 'list', [input.args.filters])),
);
