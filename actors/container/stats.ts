import type { Writable } from 'node:stream';
import { fromPromise } from 'xstate';
import type { ContainerStats } from '../../drivers/exec/backend.js';
import { containerCgroup } from '../../drivers/exec/resources.js';
import { cgroupUsage, onlineCpus, systemCpuNs, type CgroupUsage } from '../../drivers/exec/usage.js';
import type { ContainerStatsResponse, CpuStats } from '../../protocol/types/container-ops.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { sleep } from './events.js';

/** Arguments of container.stats (GET /containers/{id}/stats?stream=&one-shot=). */
export interface StatsArgs {
  ref: string;
  stream: boolean;
  oneShot: boolean;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'container.stats': JobType<StatsArgs, void>;
  }
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const INTERVAL_MS = 1000;

function emptyCpu(): CpuStats {
  return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
}

/** dockerd's sample for a container that is not running: its name and ID, every number zero. */
export function emptyStats(r: ContainerRecord): ContainerStatsResponse {
  const blkio = { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null };
  return { name: r.Name, id: r.Id, read: ZERO_TIME, preread: ZERO_TIME, pids_stats: {}, blkio_stats: blkio, num_procs: 0, storage_stats: {}, cpu_stats: emptyCpu(), precpu_stats: emptyCpu(), memory_stats: {} };
}

/** One sample in Docker's shape from the runtime's numbers and the cgroup's; an unlimited container's limit is the host's memory, as dockerd reports it. */
export function statsOf(r: ContainerRecord, s: ContainerStats, u: CgroupUsage, at: Date, host: { cpuNs: number; cpus: number; memory: number }): ContainerStatsResponse {
  const out = emptyStats(r);
  out.read = at.toISOString();
  out.cpu_stats = {
    cpu_usage: { total_usage: s.cpuUsageNs ?? 0, usage_in_kernelmode: u.systemNs ?? 0, usage_in_usermode: u.userNs ?? 0 },
    system_cpu_usage: host.cpuNs, online_cpus: host.cpus, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
  const limit = s.memoryLimit && s.memoryLimit < host.memory ? s.memoryLimit : host.memory;
  out.memory_stats = { ...(s.memoryUsage !== null && { usage: s.memoryUsage }), stats: u.memoryStat, limit };
  out.pids_stats = { ...(s.pids !== null && { current: s.pids }), ...(r.HostConfig.PidsLimit && r.HostConfig.PidsLimit > 0 && { limit: r.HostConfig.PidsLimit }) };
  if (u.ioReadBytes !== null || u.ioWriteBytes !== null) {
    out.blkio_stats.io_service_bytes_recursive = [{ major: 0, minor: 0, op: 'read', value: u.ioReadBytes ?? 0 }, { major: 0, minor: 0, op: 'write', value: u.ioWriteBytes ?? 0 }];
  }
  return out;
}

/** A sample of the container now: zeros when it is not running (or stops between the check and the read). */
async function sample(ctx: EngineContext, r: ContainerRecord): Promise<ContainerStatsResponse> {
  if (!r.State.Running) return emptyStats(r);
  try {
    const s = await ctx.ask<ContainerStats>('execdriver', { type: 'exec.stats', id: r.Id });
    const u = ctx.runtime === 'native' ? cgroupUsage(containerCgroup(r.Id)) : { memoryStat: {}, userNs: null, systemNs: null, ioReadBytes: null, ioWriteBytes: null };
    return statsOf(r, s, u, new Date(ctx.clock.now()), { cpuNs: systemCpuNs(), cpus: onlineCpus(), memory: ctx.probe().memTotal });
  } catch {
    return emptyStats(r);
  }
}

/**
 * Writes a container's usage as dockerd does: streaming, a sample a second, each with the one before
 * as `precpu_stats`; not streaming, one sample a second after a first one (so the CPU share can be
 * computed), or at once with one-shot; a stopped container's sample at once. Ends when the client
 * leaves or the container is removed.
 */
export async function streamStats(ctx: EngineContext, a: StatsArgs, out: Writable, signal?: AbortSignal): Promise<void> {
  const r = await ctx.call('containers', 'find', [a.ref]);
  if (!a.stream && !r.State.Running) return void out.write(`${JSON.stringify(emptyStats(r))}\n`);
  let left = false;
  signal?.addEventListener('abort', () => (left = true));
  let pre: ContainerStatsResponse | null = null;
  for (let first = true; !left && !out.destroyed; first = false) {
    if (!first) await sleep(ctx, INTERVAL_MS);
    // A container removed meanwhile ends the stream.
    const current = await ctx.call('containers', 'find', [r.Id]).catch(() => null);
    if (!current) return;
    const now = await sample(ctx, current);
    if (pre) Object.assign(now, { precpu_stats: pre.cpu_stats, preread: pre.read });
    pre = now;
    if (!a.stream && first && !a.oneShot) continue;
    if (!left) out.write(`${JSON.stringify(now)}\n`);
    if (!a.stream) return;
  }
}

/** container.stats: its stdout is the response. */
export const statsJob = defineJob(
  'container.stats',
  fromPromise(async ({ input }: { input: JobInput<StatsArgs> }) => streamStats(input.ctx as EngineContext, input.args, input.stdout!, input.signal)),
  (a) => `${a.ref}${a.stream ? ', stream' : ''}`,
);
