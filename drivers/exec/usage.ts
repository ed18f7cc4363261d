/**
 * Container usage the exec backends' stats() do not carry (memory.stat, cpu user/system split, block
 * I/O) and the host's CPU time, for `docker stats`; and limit updates that the create-time mapping
 * cannot say (`docker update` back to unlimited). Cgroup files are read under `root` so tests can
 * point it at a tmpdir.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadNative } from '../native/addon.js';
import { updateCgroup, type ResourceLimits } from './resources.js';

/** Extra usage of one cgroup; empty or null where the host does not tell. */
export interface CgroupUsage {
  /** memory.stat, key → value. */
  memoryStat: Record<string, number>;
  /** Nanoseconds in user and kernel mode. */
  userNs: number | null;
  systemNs: number | null;
  ioReadBytes: number | null;
  ioWriteBytes: number | null;
}

const NS_PER_TICK = 1e9 / 100;

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function keyValues(text: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** memory.stat, CPU split and I/O of a container's cgroup (v2 tree, else the v1 controllers). */
export function cgroupUsage(rel: string, root = '/sys/fs/cgroup'): CgroupUsage {
  if (existsSync(path.join(root, 'cgroup.controllers'))) {
    const cpu = keyValues(read(path.join(root, rel, 'cpu.stat')));
    return { memoryStat: keyValues(read(path.join(root, rel, 'memory.stat'))), userNs: (cpu.user_usec ?? NaN) * 1000 || null, systemNs: (cpu.system_usec ?? NaN) * 1000 || null, ioReadBytes: null, ioWriteBytes: null };
  }
  const acct = keyValues(read(path.join(root, 'cpuacct', rel, 'cpuacct.stat')));
  let stats = null;
  try {
    stats = loadNative().cgroupStats(rel);
  } catch {
    // no addon or no cgroup: no I/O numbers
  }
  return {
    memoryStat: keyValues(read(path.join(root, 'memory', rel, 'memory.stat'))),
    userNs: acct.user !== undefined ? acct.user * NS_PER_TICK : null, systemNs: acct.system !== undefined ? acct.system * NS_PER_TICK : null,
    ioReadBytes: stats?.ioReadBytes ?? null, ioWriteBytes: stats?.ioWriteBytes ?? null,
  };
}

/** The host's CPU time in nanoseconds (the `cpu` line of /proc/stat), as dockerd's system_cpu_usage. */
export function systemCpuNs(proc = '/proc'): number {
  const line = /^cpu\s+(.*)$/m.exec(read(path.join(proc, 'stat')) ?? '')?.[1] ?? '';
  return line.split(/\s+/).slice(0, 8).reduce((sum, v) => sum + Number(v || 0), 0) * NS_PER_TICK;
}

/** Online CPUs. */
export function onlineCpus(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}

/**
 * Applies `docker update`'s limits to a running container's cgroup. The create-time mapping leaves
 * 0 and -1 alone; here -1 swap and a pids limit of 0 or less mean "back to unlimited".
 */
export function updateLimits(rel: string, limits: ResourceLimits): void {
  updateCgroup(rel, limits);
  const unlimit = { ...(limits.MemorySwap === -1 && { memorySwap: -1 }), ...(limits.PidsLimit !== undefined && limits.PidsLimit !== null && limits.PidsLimit <= 0 && { pidsLimit: 0 }) };
  if (Object.keys(unlimit).length) loadNative().cgroupUpdate(rel, unlimit);
}
