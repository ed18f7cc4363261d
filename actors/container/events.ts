import type { EngineContext } from '../context.js';
import type { Topic } from '../kernel/bus.js';

/**
 * Resolves with the next bus event of `topic` about container `id`. Subscribe before acting (killing,
 * removing) so the event cannot slip by; `cancel` drops the subscription if it is no longer wanted.
 */
export function nextEvent(ctx: EngineContext, topic: Topic, id: string): { done: Promise<Record<string, string>>; cancel: () => void } {
  let off = () => {};
  const done = new Promise<Record<string, string>>((resolve) => {
    off = ctx.bus.subscribe(topic, (m) => {
      const p = m.payload as { id: string; attributes: Record<string, string> };
      if (p.id !== id) return;
      off();
      resolve(p.attributes);
    });
  });
  return { done, cancel: () => off() };
}

/** Resolves after `ms` on the engine's clock. */
export function sleep(ctx: EngineContext, ms: number): Promise<'timeout'> {
  return new Promise((resolve) => ctx.clock.setTimeout(() => resolve('timeout'), ms));
}
