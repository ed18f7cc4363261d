import { fromPromise } from 'xstate';
import { invalidParameter } from '../../protocol/errdefs.js';
import type { ContainerWaitResponse } from '../../protocol/types/containers.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { nextEvent } from './events.js';

/** The wait conditions of POST /containers/{id}/wait. */
export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

declare module '../kernel/job.js' {
  interface Jobs {
    'container.wait': JobType<{ ref: string; condition: WaitCondition }, ContainerWaitResponse>;
  }
}

/**
 * Waits for a container to stop running, to exit next, or to be removed. The subscription is taken
 * before the state is read, so an exit in between is not missed. A caller that hangs up cancels it.
 */
export async function waitContainer(ctx: EngineContext, ref: string, condition: WaitCondition, signal?: AbortSignal): Promise<ContainerWaitResponse> {
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw invalidParameter(`invalid condition: "${condition}"`);
  const r = await ctx.call('containers', 'find', [ref]);
  const die = nextEvent(ctx, condition === 'removed' ? 'container.destroy' : 'container.die', r.Id);
  // A removed container has no record left to read its exit code from: take it from its last exit.
  let exitCode = r.State.ExitCode;
  const exit = nextEvent(ctx, 'container.die', r.Id);
  void exit.done.then((a) => (exitCode = Number(a.exitCode ?? exitCode)));
  const now = await ctx.call('containers', 'find', [r.Id]).catch(() => undefined);
  if (condition === 'not-running' && now && !now.State.Running && now.State.Status !== 'restarting') {
    die.cancel();
    exit.cancel();
    return { StatusCode: now.State.ExitCode, Error: null };
  }
  if (condition === 'removed' && !now) {
    die.cancel();
    exit.cancel();
    return { StatusCode: r.State.ExitCode, Error: null };
  }
  const aborted = new Promise<null>((resolve) => signal?.addEventListener('abort', () => resolve(null)));
  const attrs = await Promise.race([die.done, aborted]);
  die.cancel();
  exit.cancel();
  if (!attrs) return { StatusCode: -1, Error: { Message: 'wait cancelled' } };
  return { StatusCode: condition === 'removed' ? exitCode : Number(attrs.exitCode ?? 0), Error: null };
}

/** container.wait. */
export const waitJob = defineJob(
  'container.wait',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string; condition: WaitCondition }> }) => waitContainer(input.ctx as EngineContext, input.args.ref, input.args.condition, input.signal)),
  (a) => `${a.ref}, ${a.condition}`,
);
