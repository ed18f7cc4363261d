import { fromPromise } from 'xstate';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { nextEvent, sleep } from './events.js';

/** Arguments of container.stop / container.kill. */
export interface StopArgs {
  ref: string;
  /** Seconds before SIGKILL (default: the container's StopTimeout, else 10). */
  timeout?: number;
  /** The signal to stop with (default: the container's StopSignal, else SIGTERM). */
  signal?: string;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'container.stop': JobType<StopArgs, void>;
    'container.kill': JobType<{ ref: string; signal?: string }, void>;
  }
}

/**
 * Stops a running container as dockerd does: its stop signal, then SIGKILL after the timeout; returns
 * once the monitor has recorded the exit. Marked as stopped by hand, so restart policies leave it down.
 */
export async function stopContainer(ctx: EngineContext, args: StopArgs): Promise<void> {
  const r = await ctx.call('containers', 'move', [args.ref, { type: 'stop' }, { manuallyStopped: true }]);
  const die = nextEvent(ctx, 'container.die', r.Id);
  if (r.State.Paused) await ctx.ask('execdriver', { type: 'exec.resume', id: r.Id }).catch(() => undefined);
  const seconds = args.timeout ?? r.Config.StopTimeout ?? 10;
  await ctx.ask('execdriver', { type: 'exec.kill', id: r.Id, signal: args.signal ?? r.Config.StopSignal ?? 'SIGTERM' }).catch(() => undefined);
  if (seconds < 0 || (await Promise.race([die.done, sleep(ctx, seconds * 1000)])) === 'timeout') {
    await ctx.ask('execdriver', { type: 'exec.kill', id: r.Id, signal: 'SIGKILL' }).catch(() => undefined);
    await die.done;
  }
  ctx.bus.publish('container.stop', { id: r.Id, attributes: { name: r.Name.slice(1) } });
}

/** container.stop (POST /containers/{id}/stop). */
export const stopJob = defineJob(
  'container.stop',
  fromPromise(async ({ input }: { input: JobInput<StopArgs> }) => stopContainer(input.ctx as EngineContext, input.args)),
  (a) => a.ref,
);

/** container.kill (POST /containers/{id}/kill): a signal, SIGKILL by default. */
export const killJob = defineJob(
  'container.kill',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string; signal?: string }> }) => {
    const ctx = input.ctx as EngineContext;
    const r = await ctx.call('containers', 'move', [input.args.ref, { type: 'kill' }]);
    const signal = input.args.signal || 'SIGKILL';
    await ctx.ask('execdriver', { type: 'exec.kill', id: r.Id, signal });
    ctx.bus.publish('container.kill', { id: r.Id, attributes: { name: r.Name.slice(1), signal } });
  }),
  (a) => `${a.ref}${a.signal ? `, ${a.signal}` : ''}`,
);
