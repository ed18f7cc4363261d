import { fromPromise } from 'xstate';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { signalNumber } from '../../drivers/exec/backend.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { nextEvent, sleep } from './events.js';
import { containerAttributes } from './exec.js';

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
 * Sends a signal and tells the bus, as dockerd's killWithSignal: a `kill` event with the signal's
 * number, so `stop` reads kill, die, stop (and a second kill when SIGKILL follows the timeout).
 */
async function signalContainer(ctx: EngineContext, r: ContainerRecord, signal: string): Promise<void> {
  await ctx.ask('execdriver', { type: 'exec.kill', id: r.Id, signal });
  ctx.bus.publish('container.kill', { id: r.Id, attributes: containerAttributes(r, { signal: String(signalNumber(signal)) }) });
}

/**
 * Stops a running container as dockerd does: its stop signal, then SIGKILL after the timeout; returns
 * once the monitor has recorded the exit. Marked as stopped by hand, so restart policies leave it down.
 */
export async function stopContainer(ctx: EngineContext, args: StopArgs): Promise<void> {
  const r = await ctx.call('containers', 'move', [args.ref, { type: 'stop' }, { manuallyStopped: true }]);
  if (r.State.Restarting && (await ctx.call('monitor', 'cancelRestart', [r.Id]))) {
    // Between runs there is no process to signal: cancelling the pending start stops it (dockerd).
    await ctx.call('containers', 'move', [r.Id, { type: 'exited', exitCode: r.State.ExitCode, oomKilled: r.State.OOMKilled, at: r.State.FinishedAt }]);
    ctx.bus.publish('container.stop', { id: r.Id, attributes: { name: r.Name.slice(1) } });
    return;
  }
  const die = nextEvent(ctx, 'container.die', r.Id);
  if (r.State.Paused) await ctx.ask('execdriver', { type: 'exec.resume', id: r.Id }).catch(() => undefined);
  const seconds = args.timeout ?? r.Config.StopTimeout ?? 10;
  await signalContainer(ctx, r, args.signal ?? r.Config.StopSignal ?? 'SIGTERM').catch(() => undefined);
  if (seconds < 0 || (await Promise.race([die.done, sleep(ctx, seconds * 1000)])) === 'timeout') {
    await signalContainer(ctx, r, 'SIGKILL').catch(() => undefined);
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
    await signalContainer(ctx, r, input.args.signal || 'SIGKILL');
  }),
  (a) => `${a.ref}${a.signal ? `, ${a.signal}` : ''}`,
);
