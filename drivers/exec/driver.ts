/**
 * The exec driver: a long-lived actor over an ExecBackend. Every request event carries a
 * `replyTo`; each runs as its own fromPromise child (a `wait` can last the container's lifetime
 * without holding up a `kill`), and its result goes back as a Reply event of the shape the
 * kernel's ask() expects (actors/kernel/ask.ts), so `ask(system, 'execdriver', {type: 'exec.start', id})`
 * works. Finished children are stopped so the snapshot does not grow.
 */
import { enqueueActions, fromPromise, sendTo, setup, stopChild } from 'xstate';
import type { AnyActorRef, AnyEventObject } from 'xstate';

import { errorData, type ErrorData } from '../../protocol/errdefs.js';
import type { AttachOptions, ExecBackend, ExecPaths } from './backend.js';
import type { OciProcess, OciSpec } from './spec.js';

/** The systemId the engine registers the driver under. */
export const EXEC_DRIVER_ID = 'execdriver';

/** Requests, one per backend method. */
export type ExecDriverRequest =
  | { type: 'exec.create'; id: string; spec: OciSpec; paths: ExecPaths }
  | { type: 'exec.start'; id: string }
  | { type: 'exec.state'; id: string }
  | { type: 'exec.kill'; id: string; signal: number | string }
  | { type: 'exec.pause'; id: string }
  | { type: 'exec.resume'; id: string }
  | { type: 'exec.stats'; id: string }
  | { type: 'exec.wait'; id: string }
  | { type: 'exec.exec'; id: string; process: OciProcess }
  | { type: 'exec.attach'; id: string; options?: AttachOptions }
  | { type: 'exec.resize'; id: string; rows: number; cols: number }
  | { type: 'exec.resizeExec'; id: string; pid: number; rows: number; cols: number }
  | { type: 'exec.clean'; id: string }
  | { type: 'exec.reattach'; id: string; paths: ExecPaths };

/** A request as sent (with its reply address). */
export type ExecDriverEvent = ExecDriverRequest & { replyTo: AnyActorRef };

/** The driver's input. */
export interface ExecDriverInput {
  backend: ExecBackend;
}

/** The reply, as actors/kernel/ask.ts reads it. */
export type ExecDriverReply =
  | { type: 'reply'; ok: true; value: unknown }
  | { type: 'reply'; ok: false; error: ErrorData };

/** Cleans under way, per backend and container. */
const cleaning = new WeakMap<ExecBackend, Map<string, Promise<void>>>();

/**
 * One clean of a container at a time: a second one (the removal after the monitor's release) gets
 * the one under way, and so does the next create (a restart right after an exit), which starts
 * once it is done. With none under way, create is called at once (its synchronous part matters).
 */
function cleanOnce(b: ExecBackend, id: string): Promise<void> {
  const mine = cleaning.get(b) ?? new Map<string, Promise<void>>();
  cleaning.set(b, mine);
  let job = mine.get(id);
  if (!job) {
    job = b.clean(id).finally(() => mine.delete(id));
    mine.set(id, job);
  }
  return job;
}

function createAfterClean(b: ExecBackend, r: Extract<ExecDriverRequest, { type: 'exec.create' }>): Promise<unknown> {
  const pending = cleaning.get(b)?.get(r.id);
  if (!pending) return b.create(r.id, r.spec, r.paths);
  return pending.catch(() => undefined).then(() => b.create(r.id, r.spec, r.paths));
}

/** Calls the backend method a request names. */
export function callBackend(b: ExecBackend, r: ExecDriverRequest): Promise<unknown> {
  switch (r.type) {
    case 'exec.create': return createAfterClean(b, r);
    case 'exec.start': return b.start(r.id);
    case 'exec.state': return b.state(r.id);
    case 'exec.kill': return b.kill(r.id, r.signal);
    case 'exec.pause': return b.pause(r.id);
    case 'exec.resume': return b.resume(r.id);
    case 'exec.stats': return b.stats(r.id);
    case 'exec.wait': return b.wait(r.id);
    case 'exec.exec': return b.exec(r.id, r.process);
    case 'exec.attach': return b.attach(r.id, r.options);
    case 'exec.resize': return b.resize(r.id, r.rows, r.cols);
    case 'exec.resizeExec': return b.resizeExec(r.id, r.pid, r.rows, r.cols);
    case 'exec.clean': return cleanOnce(b, r.id);
    case 'exec.reattach': return b.reattach(r.id, r.paths);
  }
}

interface OpInput {
  backend: ExecBackend;
  event: ExecDriverEvent;
}

interface OpOutput {
  replyTo: AnyActorRef;
  reply: ExecDriverReply;
}

/** One backend call; never rejects: a failure becomes an error reply. */
const op = fromPromise<OpOutput, OpInput>(async ({ input }) => {
  const { replyTo } = input.event;
  try {
    return { replyTo, reply: { type: 'reply', ok: true, value: await callBackend(input.backend, input.event) } };
  } catch (e) {
    return { replyTo, reply: { type: 'reply', ok: false, error: errorData(e) } };
  }
});

const DONE = /^xstate\.done\.actor\.(op-\d+)$/;

/** The exec driver machine. */
export const execDriver = setup({
  types: {} as { context: { backend: ExecBackend; seq: number }; input: ExecDriverInput; events: ExecDriverEvent | AnyEventObject },
  actors: { op },
}).createMachine({
  id: 'execdriver',
  context: ({ input }) => ({ backend: input.backend, seq: 0 }),
  on: {
    'exec.*': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const seq = context.seq + 1;
        enqueue.assign({ seq });
        enqueue.spawnChild('op', { id: `op-${seq}`, input: { backend: context.backend, event: event as ExecDriverEvent } });
      }),
    },
    '*': {
      actions: enqueueActions(({ event, enqueue }) => {
        const m = DONE.exec(event.type);
        if (!m) return;
        const out = (event as unknown as { output: OpOutput }).output;
        enqueue(sendTo(out.replyTo, out.reply));
        enqueue(stopChild(m[1]!));
      }),
    },
  },
});
