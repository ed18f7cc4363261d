import type { AnyActorRef } from 'xstate';

interface Stoppable {
  _stop?: () => void;
  getSnapshot(): { status: string; children?: Record<string, AnyActorRef> };
}

/**
 * Stops every descendant of an actor that has failed. xstate v5 leaves the children of an actor that
 * errored running (orphaned: a failed server machine would keep its socket open and its restart would
 * find the address in use), so the supervisor reaps them, deepest first, before it restarts anything.
 * `_stop` is xstate's internal stop for non-root actors; it is the only way in for an orphan.
 */
export function reapDescendants(ref: AnyActorRef | undefined): void {
  const children = (ref as Stoppable | undefined)?.getSnapshot().children ?? {};
  for (const child of Object.values(children)) reap(child);
}

/** Stops an actor's descendants, deepest first, then the actor itself. */
export function reap(ref: AnyActorRef | undefined): void {
  if (!ref) return;
  reapDescendants(ref);
  const r = ref as unknown as Stoppable;
  if (r.getSnapshot().status === 'active') r._stop?.();
}
