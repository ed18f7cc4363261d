import { fromPromise } from 'xstate';
import { system } from '../../protocol/errdefs.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { containerAttributes } from './exec.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'container.pause': JobType<{ ref: string }, void>;
    'container.unpause': JobType<{ ref: string }, void>;
  }
}

/**
 * Freezes every process of a running container (the runtime's cgroup freezer), then records it
 * paused. The move is asked first, so a stopped, paused or restarting container gets dockerd's 409.
 */
export async function pauseContainer(ctx: EngineContext, ref: string): Promise<void> {
  const r = await ctx.call('containers', 'find', [ref]);
  await ctx.call('containers', 'move', [r.Id, { type: 'pause' }]);
  await ctx.ask('execdriver', { type: 'exec.pause', id: r.Id }).catch((err: unknown) => {
    throw system(`Cannot pause container ${r.Id}: ${(err as Error).message}`, err);
  });
  await ctx.call('containers', 'move', [r.Id, { type: 'paused' }]);
  ctx.bus.publish('container.pause', { id: r.Id, attributes: containerAttributes(r) });
}

/** Thaws a paused container, then records it running again. */
export async function unpauseContainer(ctx: EngineContext, ref: string): Promise<void> {
  const r = await ctx.call('containers', 'find', [ref]);
  await ctx.call('containers', 'move', [r.Id, { type: 'unpause' }]);
  await ctx.ask('execdriver', { type: 'exec.resume', id: r.Id }).catch((err: unknown) => {
    throw system(`Cannot unpause container ${r.Id}: ${(err as Error).message}`, err);
  });
  await ctx.call('containers', 'move', [r.Id, { type: 'unpaused' }]);
  ctx.bus.publish('container.unpause', { id: r.Id, attributes: containerAttributes(r) });
}

/** container.pause (POST /containers/{id}/pause). */
export const pauseJob = defineJob(
  'container.pause',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string }> }) => pauseContainer(input.ctx as EngineContext, input.args.ref)),
  (a) => a.ref,
);

/** container.unpause (POST /containers/{id}/unpause). */
export const unpauseJob = defineJob(
  'container.unpause',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string }> }) => unpauseContainer(input.ctx as EngineContext, input.args.ref)),
  (a) => a.ref,
);
