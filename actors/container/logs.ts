import type { Writable } from 'node:stream';
import { fromPromise } from 'xstate';
import type { JsonLogEntry } from '../../drivers/exec/jsonlog.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { notImplemented } from '../../protocol/errdefs.js';
import { nextEvent } from './events.js';
import { followLog, LiveLog, readAll } from './logfiles.js';
import { frame, STREAM } from './stdio.js';

/** Arguments of container.logs (GET /containers/{id}/logs). */
export interface LogsArgs {
  ref: string;
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  timestamps: boolean;
  /** Lines from the end, or undefined for all. */
  tail?: number;
  /** Nanoseconds since the epoch. */
  since?: bigint;
  until?: bigint;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'container.logs': JobType<LogsArgs, void>;
  }
}

interface Selection {
  tty: boolean;
  stdout: boolean;
  stderr: boolean;
  timestamps?: boolean;
  since?: bigint;
  until?: bigint;
}

/** Nanoseconds of an RFC 3339 time with up to nine fraction digits. */
function nanos(time: string): bigint {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(time);
  const whole = BigInt(Date.parse(`${m?.[1] ?? time}Z`)) * 1_000_000n;
  return whole + BigInt((m?.[2] ?? '').padEnd(9, '0').slice(0, 9) || '0');
}

function emit(e: JsonLogEntry, out: Writable, s: Selection): void {
  if (!(e.stream === 'stdout' ? s.stdout : s.stderr)) return;
  const t = nanos(e.time);
  if ((s.since !== undefined && t < s.since) || (s.until !== undefined && t > s.until)) return;
  const text = Buffer.from(s.timestamps ? `${e.time} ${e.log}` : e.log);
  out.write(s.tty ? text : frame(e.stream === 'stdout' ? STREAM.stdout : STREAM.stderr, text));
}

/**
 * Writes a whole json-file log, rotated files first (or its last `tail` entries). With `live`, the
 * live file is left open there for a follow; otherwise it is closed.
 */
export async function writeLogs(file: string, out: Writable, s: Selection & { tail?: number }, live?: LiveLog): Promise<void> {
  const log = live ?? new LiveLog(file);
  try {
    let entries = await readAll(log);
    if (s.tail !== undefined && s.tail >= 0) entries = s.tail === 0 ? [] : entries.slice(-s.tail);
    for (const e of entries) emit(e, out, s);
  } finally {
    if (!live) await log.close();
  }
}

/** container.logs: the json-file log, framed per stream without a TTY; with `follow`, until the container stops or the client leaves. */
export const logsJob = defineJob(
  'container.logs',
  fromPromise(async ({ input }: { input: JobInput<LogsArgs> }) => {
    const ctx = input.ctx as EngineContext;
    const a = input.args;
    const r = await ctx.call('containers', 'find', [a.ref]);
    if (r.HostConfig.LogConfig?.Type === 'none') throw notImplemented('configured logging driver does not support reading');
    const s = { tty: !!r.Config.Tty, stdout: a.stdout, stderr: a.stderr, timestamps: a.timestamps, since: a.since, until: a.until };
    const die = nextEvent(ctx, 'container.die', r.Id);
    const live = new LiveLog(r.LogPath);
    try {
      await writeLogs(r.LogPath, input.stdout!, { ...s, tail: a.tail }, live);
      const running = (await ctx.call('containers', 'find', [r.Id])).State.Running;
      if (!a.follow || !running) return;
      const left = new Promise((resolve) => input.signal?.addEventListener('abort', resolve));
      await followLog(live, (entries) => entries.forEach((e) => emit(e, input.stdout!, s)), Promise.race([die.done, left]));
    } finally {
      die.cancel();
      await live.close();
    }
  }),
  (a) => `${a.ref}${a.follow ? ', follow' : ''}`,
);
