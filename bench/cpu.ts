/**
 * CPU accounting for the pull benchmarks: on a shared 2-core machine wall time is noisy, CPU time
 * per MB is not (much). Counts this process (process.cpuUsage: the in-process daemon or client) and
 * another process by pid (/proc/<pid>/stat utime+stime: the registry serving the blobs).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux we run on). */
const TICKS = 100;

/**
 * CPU ms (user + system) a process (all its threads) has used so far, from /proc; 0 when it is
 * gone. With `thread`, only that thread (`/proc/<pid>/task/<tid>/stat`; tid = pid is the main one).
 */
export function procCpuMs(pid: number, thread?: number): number {
  try {
    // Fields after the ")" of comm: state is field 3, utime 14, stime 15 (1-based, man 5 proc).
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS;
  } catch {
    return 0;
  }
}

/**
 * One measured interval: wall seconds, CPU ms of this process, of its main (JavaScript) thread alone
 * (the rest is the libuv pool: zlib, fs) and of `other`.
 */
export interface CpuSpan {
  seconds: number;
  selfMs: number;
  mainMs: number;
  otherMs: number;
}

/** Starts measuring; the returned function ends the interval. */
export function cpuSpan(otherPid: number): () => CpuSpan {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const o0 = procCpuMs(otherPid);
  const m0 = procCpuMs(process.pid, process.pid);
  return () => {
    const c = process.cpuUsage(c0);
    const mainMs = procCpuMs(process.pid, process.pid) - m0;
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, selfMs: (c.user + c.system) / 1000, mainMs, otherMs: procCpuMs(otherPid) - o0 };
  };
}

/** The median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The 1-minute load average, for the record next to the figures. */
export function load1(): number {
  return Number(loadavg()[0]!.toFixed(2));
}
