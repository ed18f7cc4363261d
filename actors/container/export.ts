import { pipeline } from 'node:stream/promises';
import { fromPromise } from 'xstate';
import type { EngineContext } from '../context.js';
import type { ResourceEvent } from '../kernel/bus.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { withContainerFs } from './archive.js';
import { archiveTar } from './archive-tar.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'container.export': JobType<{ ref: string }, void>;
  }
}

declare module '../kernel/bus.js' {
  interface Topics {
    'container.export': ResourceEvent;
  }
}

/**
 * container.export (GET /containers/{id}/export): the whole rootfs as a tar on stdout, without its
 * volumes and binds (as `docker export`), entries named from the root (`bin/`, `etc/passwd`).
 */
export const exportJob = defineJob(
  'container.export',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string }> }) => {
    const ctx = input.ctx as EngineContext;
    await withContainerFs(ctx, input.args.ref, async (fs, r) => {
      ctx.bus.publish('container.export', { id: r.Id, attributes: { name: r.Name.slice(1), image: r.Config.Image ?? '' } });
      await pipeline(archiveTar({ rootfs: fs.rootfs, mounts: [] }, [], ''), input.stdout!, ...(input.signal ? [{ signal: input.signal }] : []));
    });
  }),
  (a) => a.ref,
);
