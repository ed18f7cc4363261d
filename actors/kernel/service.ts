import { fromCallback, type ActorSystem, type ActorSystemInfo, type AnyActorRef } from 'xstate';
import { ask, replyOf, type AskOptions } from './ask.js';

/**
 * The long-lived services jobs can call, by systemId, and the object each serves. Services add
 * themselves by augmenting this interface:
 *
 *     declare module '../../kernel/service.js' { interface Services { graph: Graph } }
 */
export interface Services {}

/** A call request, as the service actor receives it. */
export interface CallEvent {
  type: 'call';
  method: string;
  args: unknown[];
  replyTo: AnyActorRef;
}

/** A service's name. */
export type ServiceName = keyof Services & string;
/** The callable methods of a service. */
export type ServiceMethod<S extends ServiceName> = { [K in keyof Services[S]]: Services[S][K] extends (...a: never[]) => unknown ? K : never }[keyof Services[S]] & string;
type Fn<T, M extends keyof T> = T[M] extends (...a: infer A) => infer R ? { args: A; result: Awaited<R> } : never;
/** The arguments of a service method, as a tuple. */
export type CallArgs<S extends ServiceName, M extends ServiceMethod<S>> = Fn<Services[S], M>['args'];
/** What a service method resolves to. */
export type CallResult<S extends ServiceName, M extends ServiceMethod<S>> = Fn<Services[S], M>['result'];

/**
 * A service actor over an object: calls run one at a time, in arrival order, so the object's state
 * (a store, a driver) never sees two writers; each call's result or error goes back to its caller.
 */
export function serialService<T extends object>() {
  return fromCallback<CallEvent, { target: T }>(({ input, receive }) => {
    let queue: Promise<unknown> = Promise.resolve();
    receive((e) => {
      queue = queue.then(() => answer(input.target, e));
    });
  });
}

/**
 * A service actor whose calls run concurrently: for objects that guard their own state (a graph
 * driver with per-layer locks), where one long call (extracting a layer) must not hold up the rest.
 */
export function concurrentService<T extends object>() {
  return fromCallback<CallEvent, { target: T }>(({ input, receive }) => {
    receive((e) => void answer(input.target, e));
  });
}

async function answer(target: object, e: CallEvent): Promise<void> {
  try {
    const fn = (target as Record<string, (...a: unknown[]) => unknown>)[e.method];
    if (typeof fn !== 'function') throw new Error(`no method ${e.method}`);
    e.replyTo.send(replyOf({ value: await fn.apply(target, e.args) }));
  } catch (error) {
    e.replyTo.send(replyOf({ error }));
  }
}

/** Calls a method of a service actor and waits for its result (ask() with a long default timeout). */
export function call<S extends ServiceName, M extends ServiceMethod<S>>(
  system: ActorSystem<ActorSystemInfo>,
  service: S,
  method: M,
  args: CallArgs<S, M>,
  opts: AskOptions = {},
): Promise<CallResult<S, M>> {
  return ask(system, service, { type: 'call', method, args }, { timeoutMs: 10 * 60_000, ...opts });
}
