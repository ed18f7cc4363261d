import os from 'node:os';
import { fromPromise } from 'xstate';
import { conflict, invalidParameter } from '../../protocol/errdefs.js';
import type { ContainerTopResponse } from '../../protocol/types/container-ops.js';
import { bootClock, cgroupPids, hostUsers, procInfo, TICKS, type ProcInfo } from '../../drivers/exec/procs.js';
import { containerCgroup } from '../../drivers/exec/resources.js';
import type { EngineContext } from '../context.js';
import type { ResourceEvent } from '../kernel/bus.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { containerAttributes } from './exec.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'container.top': JobType<{ ref: string; psArgs: string }, ContainerTopResponse>;
  }
}

declare module '../kernel/bus.js' {
  interface Topics {
    'container.top': ResourceEvent;
  }
}

/** What a row is computed from: the process, the clock, the host's user names. */
interface RowContext {
  p: ProcInfo;
  uptime: number;
  btime: number;
  now: number;
  users: Map<number, string>;
}

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ps's STIME: HH:MM within a day, MonDD within a year, else the year. */
export function startText(startUnix: number, nowUnix: number): string {
  const d = new Date(startUnix * 1000);
  const age = nowUnix - startUnix;
  if (age < 86400) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (age < 86400 * 365) return `${MONTHS[d.getMonth()]}${pad(d.getDate())}`;
  return String(d.getFullYear());
}

/** ps's cumulative TIME, [DD-]HH:MM:SS. */
export function cpuText(ticks: number): string {
  const s = Math.floor(ticks / TICKS);
  const days = Math.floor(s / 86400);
  const hms = `${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return days ? `${days}-${hms}` : hms;
}

/** ps's TTY: pts/N, ttyN, or ? for none. */
export function ttyText(ttyNr: number): string {
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  return '?';
}

function cells(c: RowContext) {
  const { p } = c;
  const elapsed = Math.max(c.uptime - p.startTicks / TICKS, 1e-3);
  const share = (p.cpuTicks / TICKS / elapsed) * 100;
  const start = startText(c.btime + p.startTicks / TICKS, c.now);
  const stat = `${p.state}${p.sid === p.pid ? 's' : ''}${p.threads > 1 ? 'l' : ''}`;
  const user = c.users.get(p.uid) ?? String(p.uid);
  return { user, share, start, stat };
}

/** The columns of the ps forms berth answers: `-ef` (dockerd's default), `aux`, `-e`. */
const FORMS: Record<string, { titles: string[]; row: (c: RowContext) => string[] }> = {
  ef: {
    titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
    row: (c) => { const x = cells(c); return [x.user, String(c.p.pid), String(c.p.ppid), String(Math.min(99, Math.floor(x.share))), x.start, ttyText(c.p.ttyNr), cpuText(c.p.cpuTicks), c.p.cmd]; },
  },
  aux: {
    titles: ['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND'],
    row: (c) => {
      const x = cells(c);
      const s = Math.floor(c.p.cpuTicks / TICKS);
      return [x.user, String(c.p.pid), x.share.toFixed(1), ((c.p.rss / os.totalmem()) * 100).toFixed(1), String(Math.floor(c.p.vsize / 1024)), String(Math.floor(c.p.rss / 1024)), ttyText(c.p.ttyNr), x.stat, x.start, `${Math.floor(s / 60)}:${pad(s % 60)}`, c.p.cmd];
    },
  },
  e: { titles: ['PID', 'TTY', 'TIME', 'CMD'], row: (c) => [String(c.p.pid), ttyText(c.p.ttyNr), cpuText(c.p.cpuTicks), c.p.cmd] },
};

/** The ps form `ps_args` names ("-ef", "aux", "-e"; letters in any order); 400 for others, which berth does not run ps for. */
export function psForm(psArgs: string): (typeof FORMS)[string] {
  const key = [...(psArgs.trim() || '-ef').replace(/^-/, '')].sort().join('');
  const form = FORMS[key];
  if (!form || /\s/.test(psArgs.trim())) throw invalidParameter(`ps_args ${JSON.stringify(psArgs)}: berth answers -ef (the default), -e and aux`);
  return form;
}

/** Lists a running container's processes as `ps <ps_args>` on the host would (host PIDs, as dockerd). */
export async function topContainer(ctx: EngineContext, ref: string, psArgs: string): Promise<ContainerTopResponse> {
  const form = psForm(psArgs);
  const r = await ctx.call('containers', 'find', [ref]);
  if (r.State.Restarting) throw conflict(`Container ${r.Id} is restarting, wait until the container is running`);
  if (!r.State.Running) throw conflict(`Container ${r.Id} is not running`);
  const pids = ctx.runtime === 'native' ? cgroupPids(containerCgroup(r.Id)) : [r.State.Pid];
  const { uptime, btime } = bootClock();
  const users = hostUsers();
  const now = Math.floor(ctx.clock.now() / 1000);
  const procs = pids.map((pid) => procInfo(pid)).filter((p): p is ProcInfo => p !== null);
  ctx.bus.publish('container.top', { id: r.Id, attributes: containerAttributes(r) });
  return { Titles: form.titles, Processes: procs.map((p) => form.row({ p, uptime, btime, now, users })) };
}

/** container.top (GET /containers/{id}/top). */
export const topJob = defineJob(
  'container.top',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string; psArgs: string }> }) => topContainer(input.ctx as EngineContext, input.args.ref, input.args.psArgs)),
  (a) => `${a.ref}${a.psArgs ? `, ${a.psArgs}` : ''}`,
);
