/**
 * A container's cgroup, made by the engine before the container starts and removed after it is gone
 * (the exec backends then pause, resume and measure it by its path). Docker's HostConfig resource
 * fields map onto the addon's CgroupResources here, in one place.
 */
import { asBerthError, invalidParameter, system, type BerthError } from '../../protocol/errdefs.js';
import type { HostConfig } from '../../protocol/types/containers.js';
import { rmdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadNative, type CgroupResources, type CgroupRootOptions } from '../native/addon.js';
import { cgroupProcsFiles, ownProcsFile } from './cgroups.js';

/** The HostConfig fields that set resources (Docker's names, from the wire type itself). */
export type ResourceLimits = Pick<HostConfig, 'Memory' | 'MemoryReservation' | 'MemorySwap' | 'NanoCpus' | 'CpuShares' | 'CpuQuota' | 'CpuPeriod' | 'CpusetCpus' | 'CpusetMems' | 'PidsLimit' | 'BlkioWeight'>;

const PERIOD_US = 100_000;

/** Docker's resource fields → the addon's; `--cpus` (NanoCpus) becomes a quota over a 100 ms period. */
export function cgroupResources(l: ResourceLimits): CgroupResources {
  const r: CgroupResources = {};
  if (l.Memory) r.memory = l.Memory;
  if (l.MemoryReservation) r.memoryReservation = l.MemoryReservation;
  if (l.MemorySwap && l.MemorySwap > 0) r.memorySwap = l.MemorySwap;
  if (l.CpuShares) r.cpuShares = l.CpuShares;
  if (l.NanoCpus) {
    r.cpuPeriod = PERIOD_US;
    r.cpuQuota = Math.round((l.NanoCpus / 1e9) * PERIOD_US);
  } else {
    if (l.CpuQuota) r.cpuQuota = l.CpuQuota;
    if (l.CpuPeriod) r.cpuPeriod = l.CpuPeriod;
  }
  if (l.CpusetCpus) r.cpusetCpus = l.CpusetCpus;
  if (l.CpusetMems) r.cpusetMems = l.CpusetMems;
  if (l.PidsLimit && l.PidsLimit > 0) r.pidsLimit = l.PidsLimit;
  if (l.BlkioWeight) r.blkioWeight = l.BlkioWeight;
  return r;
}

let warmTarget: string | null | undefined;

/**
 * Takes the kernel's cgroup migration lock once, now, by moving the daemon into the cgroup it is
 * already in (a no-op move). The first migration after a quiet spell waits out an RCU grace period
 * (7-15 ms here) while holding cgroup_mutex; the next ones within about a grace period do not wait.
 * Called once the container's cgroup is made, so the wait overlaps the shim's spawn instead of
 * following the init's clone; nothing else of the start may write to cgroupfs until the init's
 * move (it would wait for the mutex). Off the event loop; a failure only loses the head start.
 */
export function warmCgroupAttach(): void {
  if (warmTarget === undefined) warmTarget = ownProcsFile();
  if (warmTarget) writeFile(warmTarget, String(process.pid)).catch(() => undefined);
}

/** The cgroup path of a container, relative to the hierarchies' roots. */
export function containerCgroup(id: string): string {
  return `berth/${id}`;
}

/**
 * A failed cgroup write in Docker's terms. A limit file that does not exist means its controller is
 * not there for berth's cgroups (v2: not enabled in the parent's cgroup.subtree_control; v1: not
 * mounted): say so and name the file. Values the addon refuses before writing are the client's.
 */
export function cgroupError(op: string, rel: string, err: unknown): BerthError {
  const e = err as { code?: unknown; path?: unknown };
  if (e.code === 'ERR_INVALID_ARG_VALUE') return invalidParameter(`${op} cgroup ${rel}: ${(err as Error).message}`, err);
  if (e.code === 'ENOENT' && typeof e.path === 'string') {
    const controller = path.basename(e.path).split('.')[0];
    return system(`${op} cgroup ${rel}: ${e.path} does not exist: the ${controller} controller is not available to this cgroup`, err);
  }
  return asBerthError(err, `${op} cgroup ${rel}`);
}

/**
 * Creates a container's cgroup with its limits; on failure nothing of it is left. `root` points the
 * addon at another hierarchy root (tests); the default is the host's.
 */
export function createCgroup(rel: string, limits: ResourceLimits, root?: CgroupRootOptions): void {
  const native = loadNative();
  try {
    native.cgroupCreate(rel, cgroupResources(limits), root);
  } catch (err) {
    try {
      native.cgroupDestroy(rel, root);
    } catch {
      // made nothing, or cannot remove it: the create's error is the one to report
    }
    throw cgroupError('create', rel, err);
  }
}

/** Changes a running container's limits (`docker update`). */
export function updateCgroup(rel: string, limits: ResourceLimits, root?: CgroupRootOptions): void {
  try {
    loadNative().cgroupUpdate(rel, cgroupResources(limits), root);
  } catch (err) {
    throw cgroupError('update', rel, err);
  }
}

/** How many times the OOM killer struck in the cgroup. */
export function oomKills(rel: string): number {
  try {
    return loadNative().cgroupOomKills(rel);
  } catch {
    return 0;
  }
}

/**
 * SIGKILLs every process still in a container's cgroup: a run the daemon lost, whose shim is gone
 * or would not answer. A missing cgroup is fine. Returns how many processes were signalled.
 */
export function killCgroup(rel: string, root?: CgroupRootOptions): number {
  let pids: number[];
  try {
    pids = loadNative().cgroupPids(rel, root);
  } catch {
    return 0; // never made or already gone
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  return pids.length;
}

/** Removes a container's cgroup (missing is fine), and the shared `berth` parent once it is empty. */
export function destroyCgroup(rel: string): void {
  loadNative().cgroupDestroy(rel);
  // The parent goes with the last container, so a host without containers keeps no berth cgroup;
  // rmdir fails (and is ignored) while other containers still have theirs.
  for (const procs of cgroupProcsFiles(path.dirname(rel))) {
    try {
      rmdirSync(path.dirname(procs));
    } catch {
      // not empty: other containers run
    }
  }
}
