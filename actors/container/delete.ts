import { rm } from 'node:fs/promises';
import { fromPromise } from 'xstate';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { allSettledOrFirstError } from '../../drivers/settle.js';
import { Trash } from '../../drivers/trash.js';
import { detachMounts } from '../volume/attach.js';
import { containerPaths } from './files.js';
import { nextEvent } from './events.js';

/** Arguments of container.delete (DELETE /containers/{id}?force&v). */
export interface DeleteArgs {
  ref: string;
  force: boolean;
  volumes: boolean;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'container.delete': JobType<DeleteArgs, void>;
  }
}

/**
 * Removes a container: killed first when forced, then marked removing (so nothing starts it again),
 * then its runtime state, writable layer, files and hold on volumes go, and last its record and name.
 */
export async function deleteContainer(ctx: EngineContext, args: DeleteArgs): Promise<void> {
  let r = await ctx.call('containers', 'find', [args.ref]);
  if (r.State.Running && args.force) {
    const die = nextEvent(ctx, 'container.die', r.Id);
    await ctx.call('containers', 'patch', [r.Id, { manuallyStopped: true }]);
    if (r.State.Paused) await ctx.ask('execdriver', { type: 'exec.resume', id: r.Id }).catch(() => undefined);
    await ctx.ask('execdriver', { type: 'exec.kill', id: r.Id, signal: 'SIGKILL' }).catch(() => undefined);
    await die.done;
  }
  r = await ctx.call('containers', 'move', [r.Id, { type: 'remove', force: args.force }]);
  await ctx.ask('execdriver', { type: 'exec.clean', id: r.Id }).catch(() => undefined);
  const p = containerPaths(ctx.config, r.Id);
  // Independent of one another, so side by side: all are settled before the record goes.
  await allSettledOrFirstError([
    ctx.call('graphdriver', 'remove', [r.rwLayer]),
    Trash.at(ctx.config.dataRoot).discard(p.dir),
    rm(p.bundle.replace(/\/bundle$/, ''), { recursive: true, force: true }),
    // Named volumes stay; anonymous ones go with `rm -v` (and `--rm`), as in dockerd.
    detachMounts(ctx, r.Id, args.volumes),
    // Removed means nothing of it is left: veths of its last run still going are waited for.
    ctx.call('network', 'settled', [r.Id]),
  ]);
  await ctx.call('containers', 'delete', [r.Id]);
  ctx.bus.publish('container.destroy', { id: r.Id, attributes: { name: r.Name.slice(1), image: r.Config.Image ?? '' } });
}

/** container.delete. */
export const deleteJob = defineJob(
  'container.delete',
  fromPromise(async ({ input }: { input: JobInput<DeleteArgs> }) => deleteContainer(input.ctx as EngineContext, input.args)),
  (a) => `${a.ref}${a.force ? ', force' : ''}`,
);
