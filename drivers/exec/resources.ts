/**
 * A container's cgroup, made by the engine before the container starts and removed after it is gone
 * (the exec backends then pause, resume and measure it by its path). Docker's HostConfig resource
 * fields map onto the addon's CgroupResources here, in one place.
 */
import type { HostConfig } from '../../protocol/types/containers.js';
import { rmdirSync } from 'node:fs';
import path from 'node:path';
import { loadNative, type CgroupResources } from '../native/addon.js';
import { cgroupProcsFiles } from './cgroups.js';

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

/** The cgroup path of a container, relative to the hierarchies' roots. */
export function containerCgroup(id: string): string {
  return `berth/${id}`;
}

/** Creates a container's cgroup with its limits. */
export function createCgroup(rel: string, limits: ResourceLimits): void {
  loadNative().cgroupCreate(rel, cgroupResources(limits));
}

/** Changes a running container's limits (`docker update`). */
export function updateCgroup(rel: string, limits: ResourceLimits): void {
  loadNative().cgroupUpdate(rel, cgroupResources(limits));
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
export function killCgroup(rel: string): number {
  let pids: number[];
  try {
    pids = loadNative().cgroupPids(rel);
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
