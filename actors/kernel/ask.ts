import { createActor, fromCallback } from 'xstate';
import type { ActorSystem, ActorSystemInfo, AnyActorRef, AnyEventObject } from 'xstate';
import { deadline, errorData, fromErrorData, notFound, type ErrorData } from '../../protocol/errdefs.js';
import { systemClock, type Clock } from './clock.js';

/**
 * Request / reply between actors. The request carries `replyTo`, an actor the callee answers with a
 * `Reply` event (see `reply()`); the caller gets a promise that settles with the answer, or with a
 * Deadline error when nobody answers in time.
 */

/** The answer a callee sends to `replyTo`. */
export type Reply<T = unknown> =
  | { type: 'reply'; ok: true; value: T }
  | { type: 'reply'; ok: false; error: ErrorData };

/** Fields every request event carries. */
export interface Request {
  replyTo: AnyActorRef;
}

/** The reply event for a value or a thrown error (the callee's side of ask()). */
export function replyOf<T>(result: { value: T } | { error: unknown }): Reply<T> {
  if ('value' in result) return { type: 'reply', ok: true, value: result.value };
  return { type: 'reply', ok: false, error: errorData(result.error) };
}

/** Options of ask(). */
export interface AskOptions {
  timeoutMs?: number;
  clock?: Clock;
}

/**
 * Sends `event` with a `replyTo` to the actor registered as `systemId` and waits for its Reply.
 * NotFound when no such actor runs; Deadline when it does not answer within the timeout.
 */
export function ask<T>(
  system: ActorSystem<ActorSystemInfo>,
  systemId: string,
  event: AnyEventObject,
  { timeoutMs = 5000, clock = systemClock }: AskOptions = {},
): Promise<T> {
  const target = system.get(systemId) as AnyActorRef | undefined;
  if (!target) return Promise.reject(notFound(`ask ${systemId}: no such actor`));
  return new Promise<T>((resolve, reject) => {
    const inbox = createActor(
      fromCallback<AnyEventObject>(({ receive }) => {
        receive((r) => settle(r as Reply<T>));
      }),
    );
    const timer = clock.setTimeout(
      () => settle(undefined),
      timeoutMs,
    );
    function settle(r: Reply<T> | undefined): void {
      clock.clearTimeout(timer);
      inbox.stop();
      if (!r) reject(deadline(`ask ${systemId} ${event.type}: no reply within ${timeoutMs} ms`));
      else if (r.ok) resolve(r.value);
      else reject(fromErrorData(r.error));
    }
    inbox.start();
    target.send({ ...event, replyTo: inbox });
  });
}
