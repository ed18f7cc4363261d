import { fromPromise } from 'xstate';
import type { ContainerState as RuntimeState } from '../../drivers/exec/backend.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { containerPaths } from './files.js';
import { hasLeftovers, mountsUnder, releaseLeftovers } from './leftovers.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'container.restore': JobType<void, RestoreCounts>;
  }
}

/** What a restore did: containers followed again, found exited, restarted, and stopped ones whose lost run it released. */
export interface RestoreCounts {
  reattached: number;
  exited: number;
  restarted: number;
  released: number;
}

/** Whether the daemon's start brings an exited container back (dockerd: always, and unless-stopped not stopped by hand). */
function restartsOnBoot(r: ContainerRecord): boolean {
  const p = r.HostConfig.RestartPolicy?.Name;
  return p === 'always' || (p === 'unless-stopped' && !r.manuallyStopped);
}

/**
 * Reattaches a container that was running when the daemon stopped: its shim kept it (live restore).
 * Its rootfs mount is adopted and the monitor follows it again; one that exited meanwhile is
 * recorded by the monitor at once from the exit status its shim left.
 */
async function reattach(ctx: EngineContext, r: ContainerRecord, mounts: string[]): Promise<'reattached' | 'exited'> {
  const p = containerPaths(ctx.config, r.Id);
  try {
    const s = await ctx.ask<RuntimeState>('execdriver', { type: 'exec.reattach', id: r.Id, paths: { bundle: p.bundle, state: p.state, log: p.log } });
    await ctx.call('graphdriver', 'get', [r.rwLayer]);
    await ctx.call('monitor', 'watch', [r.Id]);
    return s.status === 'exited' ? 'exited' : 'reattached';
  } catch (err) {
    // No shim and no exit status (the host rebooted, or the daemon died in the exit's release after
    // the runtime's clean): the container is gone; release what its run held and record it so.
    ctx.log.warn(`restore ${r.Id.slice(0, 12)}: ${(err as Error).message}`);
    await releaseLeftovers(ctx, r, mounts).catch((e: Error) => ctx.log.warn(`restore ${r.Id.slice(0, 12)}: ${e.message}`));
    await ctx.call('containers', 'move', [r.Id, { type: 'exited', exitCode: 255, oomKilled: false, at: new Date(ctx.clock.now()).toISOString(), error: 'container lost while the daemon was down' }]);
    return 'exited';
  }
}

/**
 * Reconciles every container with the runtime after a daemon start; nothing forgotten, nothing
 * doubled. A stopped one whose run the last daemon lost half-way (killed during a start or an exit's
 * release) has that run ended and released first, its record kept: created stays created.
 */
export async function restoreContainers(ctx: EngineContext): Promise<RestoreCounts> {
  const out = { reattached: 0, exited: 0, restarted: 0, released: 0 };
  const mounts = mountsUnder(ctx.config.dataRoot);
  for (const r of await ctx.call('containers', 'all', [])) {
    if (r.State.Running) out[await reattach(ctx, r, mounts)]++;
    else if (hasLeftovers(ctx, r, mounts)) {
      await releaseLeftovers(ctx, r, mounts).catch((e: Error) => ctx.log.warn(`restore ${r.Id.slice(0, 12)}: ${e.message}`));
      out.released++;
    }
    if (r.State.Status === 'removing') await ctx.job('container.delete', { ref: r.Id, force: true, volumes: false }).catch(() => undefined);
    if (r.State.Status === 'restarting' || (!r.State.Running && r.State.Status === 'exited' && restartsOnBoot(r))) {
      await ctx.job('container.start', { ref: r.Id }).then(() => out.restarted++, (e: Error) => ctx.log.warn(`restart ${r.Id.slice(0, 12)} on boot: ${e.message}`));
    }
  }
  return out;
}

/** container.restore: run once by the engine at start-up. */
export const restoreJob = defineJob(
  'container.restore',
  fromPromise(async ({ input }: { input: JobInput<void> }) => restoreContainers(input.ctx as EngineContext)),
);
