import type { Writable } from 'node:stream';
import { fromPromise } from 'xstate';
import type { Filters } from '../../protocol/filters.js';
import type { EventMessage } from '../../protocol/types/system.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { eventJson, eventMatches, toEventMessage } from '../services/events.js';

/** Arguments of system.events (GET /events), times in nanoseconds since the epoch. */
export interface EventsArgs {
  since?: bigint;
  until?: bigint;
  filters: Filters;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'system.events': JobType<EventsArgs, { sent: number }>;
  }
}

function write(out: Writable, e: EventMessage, nano: bigint): void {
  out.write(`${eventJson(e, nano)}\n`);
}

/**
 * Streams events: first the recorded ones since `since`, then live ones, until `until` passes or the
 * caller goes away. History and the live subscription are taken in the same tick (the bus delivers
 * synchronously), so no event falls between them or comes twice.
 */
export async function streamEvents(ctx: EngineContext, args: EventsArgs, out: Writable, signal?: AbortSignal): Promise<number> {
  const now = BigInt(ctx.clock.now()) * 1_000_000n;
  const history = args.since === undefined ? [] : ctx.events.between(args.since, args.until, args.filters);
  for (const { e, nano } of history) write(out, e, nano);
  if (args.until !== undefined && args.until <= now) return history.length;
  let sent = history.length;
  await new Promise<void>((resolve) => {
    const off = ctx.bus.subscribe('*', (m) => {
      const e = toEventMessage(m);
      if (!e || !eventMatches(e, args.filters)) return;
      if (args.until !== undefined && m.timeNano > args.until) return;
      write(out, e, m.timeNano);
      sent++;
    });
    const timer = args.until === undefined ? undefined : ctx.clock.setTimeout(done, Number((args.until - now) / 1_000_000n) + 1);
    function done(): void {
      off();
      if (timer !== undefined) ctx.clock.clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    if (signal?.aborted) done();
    else signal?.addEventListener('abort', done);
  });
  return sent;
}

/** The system.events job: its stdout is the response body. */
export const eventsJob = defineJob(
  'system.events',
  fromPromise(async ({ input }: { input: JobInput<EventsArgs> }) => {
    if (!input.stdout) throw new Error('system.events needs an output stream');
    return { sent: await streamEvents(input.ctx as EngineContext, input.args, input.stdout, input.signal) };
  }),
  (a) => [a.since !== undefined && `since=${a.since}`, a.until !== undefined && `until=${a.until}`].filter(Boolean).join(', '),
);
