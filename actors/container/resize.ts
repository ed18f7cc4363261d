import { fromPromise } from 'xstate';
import { conflict } from '../../protocol/errdefs.js';
import type { EngineContext } from '../context.js';
import type { ResourceEvent } from '../kernel/bus.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { containerAttributes } from './exec.js';

/** Arguments of container.resize (POST /containers/{id}/resize?h=&w=). */
export interface ResizeArgs {
  ref: string;
  height: number;
  width: number;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'container.resize': JobType<ResizeArgs, void>;
  }
}

declare module '../kernel/bus.js' {
  interface Topics {
    'container.resize': ResourceEvent;
  }
}

/**
 * Resizes a running container's terminal. Without a TTY there is nothing to resize and, as with
 * dockerd's runtime, that is no error.
 */
export async function resizeContainer(ctx: EngineContext, a: ResizeArgs): Promise<void> {
  const r = await ctx.call('containers', 'find', [a.ref]);
  if (!r.State.Running) throw conflict(`Container ${r.Id} is not running`);
  if (r.Config.Tty) await ctx.ask('execdriver', { type: 'exec.resize', id: r.Id, rows: a.height, cols: a.width });
  ctx.bus.publish('container.resize', { id: r.Id, attributes: containerAttributes(r, { height: String(a.height), width: String(a.width) }) });
}

/** container.resize. */
export const resizeJob = defineJob(
  'container.resize',
  fromPromise(async ({ input }: { input: JobInput<ResizeArgs> }) => resizeContainer(input.ctx as EngineContext, input.args)),
  (a) => `${a.ref}, ${a.height}x${a.width}`,
);
