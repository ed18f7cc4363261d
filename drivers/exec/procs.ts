/**
 * What `docker top` shows of a container's processes, read the way ps reads it: the pids from the
 * container's cgroup (the native addon), then /proc/<pid>/stat, status and cmdline. No ps is run.
 */
import { readFileSync } from 'node:fs';
import { loadNative } from '../native/addon.js';

/** One process as /proc describes it (times in clock ticks, sizes in bytes). */
export interface ProcInfo {
  pid: number;
  ppid: number;
  /** The effective uid. */
  uid: number;
  /** The one-letter state (R, S, D, Z, T, …). */
  state: string;
  /** The session id (a session leader has sid === pid). */
  sid: number;
  /** The controlling terminal (dev_t), 0 for none. */
  ttyNr: number;
  /** utime + stime. */
  cpuTicks: number;
  /** Start time, in ticks after boot. */
  startTicks: number;
  vsize: number;
  rss: number;
  threads: number;
  /** The command line, or `[comm]` for a kernel thread or a zombie. */
  cmd: string;
}

/** Clock ticks per second: USER_HZ, 100 on every Linux architecture Node runs on. */
export const TICKS = 100;
const PAGE = 4096;

/** The pids in a container's cgroup (sorted; the union over v1 hierarchies). */
export function cgroupPids(rel: string): number[] {
  return loadNative().cgroupPids(rel);
}

/** A process's /proc entries, or null when it is gone (it may exit between the listing and the read). */
export function procInfo(pid: number, proc = '/proc'): ProcInfo | null {
  try {
    const stat = readFileSync(`${proc}/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields start after the last ')'.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`${proc}/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const cmdline = readFileSync(`${proc}/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
    const n = (i: number) => Number(f[i - 3]);
    return {
      pid, ppid: n(4), uid, state: f[0]!, sid: n(6), ttyNr: n(7), cpuTicks: n(14) + n(15), startTicks: n(22),
      vsize: n(23), rss: n(24) * PAGE, threads: n(20), cmd: cmdline || `[${comm}]`,
    };
  } catch {
    return null;
  }
}

/** Seconds since boot, and the boot time (unix seconds), for start times and CPU shares. */
export function bootClock(proc = '/proc'): { uptime: number; btime: number } {
  const uptime = Number(readFileSync(`${proc}/uptime`, 'utf8').split(' ')[0]);
  const btime = Number(/^btime (\d+)/m.exec(readFileSync(`${proc}/stat`, 'utf8'))?.[1] ?? 0);
  return { uptime, btime };
}

/** User names by uid from the host's /etc/passwd, as the host's ps shows them. */
export function hostUsers(file = '/etc/passwd'): Map<number, string> {
  const users = new Map<number, string>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid && /^\d+$/.test(uid) && !users.has(Number(uid))) users.set(Number(uid), name);
    }
  } catch {
    // no passwd file: numbers it is
  }
  return users;
}
