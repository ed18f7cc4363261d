import { kindOf } from '../../protocol/errdefs.js';
import type { ExitStatus } from '../../drivers/exec/backend.js';
import { containerCgroup, destroyCgroup, oomKills } from '../../drivers/exec/resources.js';
import type { EngineContext } from '../context.js';
import { concurrentService } from '../kernel/service.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { disconnectNetworks, stoppedNetworkSettings } from './network.js';

declare module '../kernel/service.js' {
  interface Services {
    monitor: Monitor;
  }
}

const FOREVER = 2 ** 31 - 1;

/** Whether a restart policy brings a container back after this exit (dockerd's rules). */
export function shouldRestart(r: ContainerRecord, exitCode: number): boolean {
  if (r.manuallyStopped || r.State.Status === 'removing') return false;
  const p = r.HostConfig.RestartPolicy;
  switch (p?.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exitCode !== 0 && (!p.MaximumRetryCount || r.RestartCount < p.MaximumRetryCount);
    default:
      return false;
  }
}

/** dockerd's back-off: 100 ms doubling per restart, at most a minute. */
export function restartDelay(restartCount: number): number {
  return Math.min(60_000, 100 * 2 ** restartCount);
}

/**
 * The monitor: follows every running container until it exits, then releases what the run held
 * (network, rootfs mount, cgroup), records the exit, lets the runtime's state go, tells the bus, and
 * applies the restart policy or AutoRemove. One watch per container run.
 */
export class Monitor {
  private readonly watching = new Set<string>();
  /** Restart-policy starts waiting out their back-off, by container id. */
  private readonly backoff = new Map<string, unknown>();

  constructor(private readonly ctx: EngineContext) {}

  /** Starts following a container (returns at once). */
  watch(id: string): void {
    if (this.watching.has(id)) return;
    this.watching.add(id);
    void this.ctx
      .ask<ExitStatus>('execdriver', { type: 'exec.wait', id }, FOREVER)
      .catch((err: Error): ExitStatus => {
        this.ctx.log.error(`monitor ${id.slice(0, 12)}: lost the container: ${err.message}`);
        return { exitCode: 255, signal: null, oomKilled: false, finishedAt: new Date().toISOString() };
      })
      .then((status) => this.exited(id, status))
      .catch((err: Error) => this.ctx.log.error(`monitor ${id.slice(0, 12)}: ${err.message}`))
      .finally(() => this.watching.delete(id));
  }

  private async exited(id: string, status: ExitStatus): Promise<void> {
    const { ctx } = this;
    const before = await ctx.call('containers', 'find', [id]);
    const oom = status.oomKilled || (ctx.runtime === 'native' && oomKills(containerCgroup(id)) > 0);
    await this.release(before);
    const r = await ctx.call('containers', 'move', [id, { type: 'exited', exitCode: status.exitCode, oomKilled: oom, at: status.finishedAt }, { NetworkSettings: stoppedNetworkSettings(before) }]);
    // The runtime's state (the shim's exit.json among it) goes once the exit is recorded, so a crash
    // never loses the exit code; in the background: the container's removal, or its next start,
    // waits for it in the exec driver.
    void ctx.ask('execdriver', { type: 'exec.clean', id }).catch((e: Error) => ctx.log.warn(`clean ${id.slice(0, 12)}: ${e.message}`));
    if (oom) ctx.bus.publish('container.oom', { id, attributes: { name: r.Name.slice(1) } });
    ctx.bus.publish('container.die', { id, attributes: { name: r.Name.slice(1), image: r.Config.Image ?? '', exitCode: String(status.exitCode) } });
    if (shouldRestart(r, status.exitCode)) return this.restart(r);
    if (r.HostConfig.AutoRemove && r.State.Status !== 'removing') await ctx.job('container.delete', { ref: id, force: true, volumes: true }).catch(() => undefined);
  }

  /**
   * Releases what a run held; each step on its own, so one failure does not keep the others. The
   * network goes alongside the rest, and its veths' deletion (an RCU grace period in the kernel,
   * ~20 ms) finishes in the background: only the container's removal waits for it.
   */
  private async release(r: ContainerRecord): Promise<void> {
    await Promise.all([disconnectNetworks(this.ctx, r.Id, true), this.releaseRun(r)]);
  }

  /**
   * The rootfs mount and the cgroup of a run, side by side: no process of the run is left (its
   * init, pid 1 of its namespace, exits last), and nothing of the runtime's state is under the rootfs.
   */
  private async releaseRun(r: ContainerRecord): Promise<void> {
    const { ctx } = this;
    const unmounted = ctx.call('graphdriver', 'put', [r.rwLayer]).catch((e: Error) => ctx.log.warn(`unmount ${r.Id.slice(0, 12)}: ${e.message}`));
    if (ctx.runtime === 'native') {
      try {
        destroyCgroup(containerCgroup(r.Id));
      } catch (e) {
        ctx.log.warn(`cgroup ${r.Id.slice(0, 12)}: ${(e as Error).message}`);
      }
    }
    await unmounted;
  }

  /**
   * Cancels a restart-policy start still waiting out its back-off (`docker restart` or `stop` of a
   * restarting container, as dockerd cancels it); true when one was pending.
   */
  cancelRestart(id: string): boolean {
    const timer = this.backoff.get(id);
    if (timer === undefined) return false;
    this.ctx.clock.clearTimeout(timer);
    this.backoff.delete(id);
    return true;
  }

  private async restart(r: ContainerRecord): Promise<void> {
    const { ctx } = this;
    await ctx.call('containers', 'move', [r.Id, { type: 'restarting' }, { RestartCount: r.RestartCount + 1 }]);
    this.backoff.set(r.Id, ctx.clock.setTimeout(() => {
      this.backoff.delete(r.Id);
      ctx.job('container.start', { ref: r.Id }).catch(async (err: Error) => {
        // Someone else started it meanwhile (a restart that won the race): it runs, nothing failed.
        if (kindOf(err) === 'NotModified') return;
        ctx.log.error(`restart ${r.Id.slice(0, 12)}: ${err.message}`);
        await ctx.call('containers', 'move', [r.Id, { type: 'exited', exitCode: 128, oomKilled: false, at: new Date().toISOString(), error: err.message }]).catch(() => undefined);
      });
    }, restartDelay(r.RestartCount)));
  }
}

/** The monitor service (systemId `monitor`). */
export const monitorService = concurrentService<Monitor>();
