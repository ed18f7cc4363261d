import { open, stat } from 'node:fs/promises';
import { watch } from 'node:fs';
import type { Writable } from 'node:stream';
import { fromPromise } from 'xstate';
import type { JsonLogEntry } from '../../drivers/exec/jsonlog.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { nextEvent } from './events.js';
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

function parse(lines: string[]): JsonLogEntry[] {
  return lines.filter(Boolean).map((l) => JSON.parse(l) as JsonLogEntry);
}

/** Writes a whole json-file log (or its last `tail` entries); returns the offset read up to. */
export async function writeLogs(file: string, out: Writable, s: Selection & { tail?: number }): Promise<number> {
  let text = '';
  try {
    const f = await open(file, 'r');
    text = (await f.readFile()).toString('utf8');
    await f.close();
  } catch {
    return 0;
  }
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  let entries = parse(complete.split('\n'));
  if (s.tail !== undefined && s.tail >= 0) entries = s.tail === 0 ? [] : entries.slice(-s.tail);
  for (const e of entries) emit(e, out, s);
  return Buffer.byteLength(complete);
}

/** Follows a log from `offset` until `stop` resolves (the container died), reading what the shim appends. */
async function follow(file: string, offset: number, out: Writable, s: Selection, stop: Promise<unknown>): Promise<void> {
  let pos = offset;
  let rest = '';
  const drain = async () => {
    const size = (await stat(file).catch(() => ({ size: pos }))).size;
    if (size <= pos) return;
    const f = await open(file, 'r');
    const buf = Buffer.alloc(size - pos);
    await f.read(buf, 0, buf.length, pos);
    await f.close();
    pos = size;
    const lines = (rest + buf.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const e of parse(lines)) emit(e, out, s);
  };
  let chain = Promise.resolve();
  let w: ReturnType<typeof watch> | undefined;
  try {
    w = watch(file, () => (chain = chain.then(drain)));
  } catch {
    // no log file yet: what the container writes is read once it stops
  }
  try {
    await stop;
  } finally {
    w?.close();
    await chain;
    await drain();
  }
}

/** container.logs: the json-file log, framed per stream without a TTY; with `follow`, until the container stops or the client leaves. */
export const logsJob = defineJob(
  'container.logs',
  fromPromise(async ({ input }: { input: JobInput<LogsArgs> }) => {
    const ctx = input.ctx as EngineContext;
    const a = input.args;
    const r = await ctx.call('containers', 'find', [a.ref]);
    const s = { tty: !!r.Config.Tty, stdout: a.stdout, stderr: a.stderr, timestamps: a.timestamps, since: a.since, until: a.until };
    const die = nextEvent(ctx, 'container.die', r.Id);
    const offset = await writeLogs(r.LogPath, input.stdout!, { ...s, tail: a.tail });
    const running = (await ctx.call('containers', 'find', [r.Id])).State.Running;
    if (!a.follow || !running) return die.cancel();
    const left = new Promise((resolve) => input.signal?.addEventListener('abort', resolve));
    await follow(r.LogPath, offset, input.stdout!, s, Promise.race([die.done, left]));
    die.cancel();
  }),
  (a) => `${a.ref}${a.follow ? ', follow' : ''}`,
);
