import { fromPromise } from 'xstate';
import { kindOf, system } from '../../protocol/errdefs.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { containerAttributes } from './exec.js';
import { startContainer } from './start.js';
import { stopContainer, type StopArgs } from './stop.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'container.restart': JobType<StopArgs, void>;
  }
}

/**
 * Restarts a container as dockerd does: stopped first if it runs (its stop signal, SIGKILL after the
 * timeout), then started; a stopped container is just started. A restart is not a manual stop, so the
 * restart policy applies again afterwards; a container waiting to be restarted by its policy is started now. Failures read "Cannot restart container …" (a 500, as dockerd).
 */
export async function restartContainer(ctx: EngineContext, a: StopArgs): Promise<void> {
  const r = await ctx.call('containers', 'find', [a.ref]);
  try {
    // During a restart policy's back-off there is no process: its pending start gives way to ours.
    if (r.State.Restarting) await ctx.call('monitor', 'cancelRestart', [r.Id]);
    if (r.State.Running) {
      await stopContainer(ctx, { ...a, ref: r.Id }).catch((err: unknown) => {
        if (kindOf(err) !== 'NotModified') throw err;
      });
    }
    await ctx.call('containers', 'patch', [r.Id, { manuallyStopped: false }]);
    await startContainer(ctx, r.Id);
  } catch (err) {
    throw system(`Cannot restart container ${a.ref}: ${(err as Error).message}`, err);
  }
  ctx.bus.publish('container.restart', { id: r.Id, attributes: containerAttributes(r) });
}

/** container.restart (POST /containers/{id}/restart). */
export const restartJob = defineJob(
  'container.restart',
  fromPromise(async ({ input }: { input: JobInput<StopArgs> }) => restartContainer(input.ctx as EngineContext, input.args)),
  (a) => `${a.ref}${a.timeout !== undefined ? `, t=${a.timeout}` : ''}`,
);
