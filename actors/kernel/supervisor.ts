import { assign, cancel, enqueueActions, sendTo, setup, stopChild } from 'xstate';
import type { AnyActorLogic, AnyActorRef, AnyEventObject } from 'xstate';
import { BerthError } from '../../protocol/errdefs.js';
import { nowOf } from './clock.js';
import type { Logger } from './log.js';
import { reap, reapDescendants } from './reap.js';

/**
 * An OTP-style supervisor as an xstate v5 machine. Its children are spawned in order; when one ends,
 * its restart type says whether it comes back, the strategy says who comes back with it, and the
 * restart intensity says when the supervisor gives up: it then stops every child and fails itself,
 * which escalates the failure to its own parent.
 */

/** permanent: always restarted; transient: restarted only after a failure; temporary: never. */
export type RestartType = 'permanent' | 'transient' | 'temporary';
/** one_for_one: only the failed child restarts; rest_for_one: it and every child started after it. */
export type Strategy = 'one_for_one' | 'rest_for_one';

/** How one child is started, restarted and stopped. */
export interface ChildSpec {
  /** Child id, also its systemId so that others can reach it with ask(). */
  id: string;
  logic: AnyActorLogic;
  input?: unknown;
  restart: RestartType;
  /**
   * Graceful shutdown: the child is sent `supervisor.shutdown` and given this many ms to finish
   * before it is stopped; without it the child is stopped at once (OTP's brutal_kill).
   */
  shutdownMs?: number;
}

/** The supervisor's input. */
export interface SupervisorInput {
  name: string;
  strategy: Strategy;
  /** At most `maxRestarts` restarts in any `periodMs` window. */
  intensity: { maxRestarts: number; periodMs: number };
  children: ChildSpec[];
  log?: Logger;
}

/** Events a supervisor takes besides its children's done / error events. */
export type SupervisorEvent =
  | { type: 'supervisor.shutdown' }
  | { type: 'supervisor.kill'; id: string }
  | AnyEventObject;

interface Context extends SupervisorInput {
  restarts: number[];
  /** Children still to stop, in stopping order, while shutting down. */
  stopQueue: string[];
}

const EXIT = /^xstate\.(done|error)\.actor\.(.+)$/;

/** Parses a child's exit event: which child, and whether it failed. */
function childExit(event: AnyEventObject): { id: string; failed: boolean; error?: unknown } | null {
  const m = EXIT.exec(event.type);
  if (!m) return null;
  return { id: m[2]!, failed: m[1] === 'error', error: (event as { error?: unknown }).error };
}

function shouldRestart(restart: RestartType, failed: boolean): boolean {
  return restart === 'permanent' || (restart === 'transient' && failed);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The children restarted with `failed`, by strategy: it alone, or it and every later sibling. */
function restartSet(ctx: Context, failed: ChildSpec): ChildSpec[] {
  if (ctx.strategy === 'one_for_one') return [failed];
  return ctx.children.slice(ctx.children.indexOf(failed));
}

/**
 * Spawns a child under its spec's id. xstate's types only allow an `id` for children declared in
 * `setup({ actors })`; a supervisor's children come from its input, hence the one widening cast.
 */
function spawnOptions(c: ChildSpec) {
  return { id: c.id, systemId: c.id, input: c.input } as { systemId: string; input: unknown };
}

function isActive(ref: AnyActorRef | undefined): boolean {
  return !!ref && ref.getSnapshot().status === 'active';
}

/** The supervisor machine. */
export const supervisor = setup({
  types: {} as { context: Context; input: SupervisorInput; events: SupervisorEvent },
  actions: {
    // Stops children in reverse start order: brutal ones at once, the first graceful one by message,
    // with a kill scheduled for when its grace period runs out; its exit event continues the walk.
    stopNext: enqueueActions(({ context, enqueue, self }) => {
      const children = self.getSnapshot().children as Record<string, AnyActorRef>;
      const queue = [...context.stopQueue];
      while (queue.length) {
        const id = queue[0]!;
        const spec = context.children.find((c) => c.id === id)!;
        if (isActive(children[id]) && spec.shutdownMs !== undefined) {
          enqueue(sendTo(children[id]!, { type: 'supervisor.shutdown' }));
          enqueue(sendTo(self, { type: 'supervisor.kill', id }, { delay: spec.shutdownMs, id: `kill:${id}` }));
          break;
        }
        enqueue(stopChild(id));
        queue.shift();
      }
      enqueue(assign({ stopQueue: queue }));
    }),
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({ ...input, restarts: [], stopQueue: [] }),
  initial: 'running',
  states: {
    running: {
      entry: enqueueActions(({ context, enqueue }) => {
        for (const spec of context.children) enqueue.spawnChild(spec.logic, spawnOptions(spec));
      }),
      on: {
        'supervisor.shutdown': { target: 'stopping' },
        '*': {
          actions: enqueueActions(({ context, event, enqueue, system, self }) => {
            const exit = childExit(event);
            const spec = exit && context.children.find((c) => c.id === exit.id);
            if (!exit || !spec) return;
            const children = self.getSnapshot().children as Record<string, AnyActorRef>;
            if (exit.failed) enqueue(() => reapDescendants(children[spec.id]));
            enqueue(stopChild(spec.id)); // forget the ended actor before a new one takes its id
            if (!shouldRestart(spec.restart, exit.failed)) {
              context.log?.debug(`supervisor ${context.name}: child ${spec.id} ended`, { failed: exit.failed });
              return;
            }
            const now = nowOf(system);
            const restarts = [...context.restarts.filter((t) => now - t < context.intensity.periodMs), now];
            if (restarts.length > context.intensity.maxRestarts) {
              const why = exit.failed ? errorText(exit.error) : 'exited';
              const err = new BerthError(
                'System',
                `supervisor ${context.name}: restart intensity reached (${context.intensity.maxRestarts} restarts in ${context.intensity.periodMs} ms); last: ${spec.id}: ${why}`,
                { cause: exit.error },
              );
              context.log?.error(err.message);
              // stopChild is deferred until after the transition, which this throw abandons: reap directly.
              enqueue(() => {
                for (const c of [...context.children].reverse()) reap(children[c.id]);
                throw err;
              });
              return;
            }
            const again = restartSet(context, spec);
            for (const c of [...again].reverse()) if (c !== spec) enqueue(stopChild(c.id));
            for (const c of again) {
              context.log?.warn(`supervisor ${context.name}: restarting ${c.id}`, exit.failed ? { error: errorText(exit.error) } : undefined);
              enqueue.spawnChild(c.logic, spawnOptions(c));
            }
            enqueue(assign({ restarts }));
          }),
        },
      },
    },
    stopping: {
      entry: [assign({ stopQueue: ({ context }) => context.children.map((c) => c.id).reverse() }), { type: 'stopNext' }],
      always: { guard: ({ context }) => context.stopQueue.length === 0, target: 'stopped' },
      on: {
        'supervisor.kill': {
          guard: ({ context, event }) => context.stopQueue[0] === (event as { id: string }).id,
          actions: [stopChild(({ context }) => context.stopQueue[0]!), assign({ stopQueue: ({ context }) => context.stopQueue.slice(1) }), { type: 'stopNext' }],
        },
        '*': {
          guard: ({ context, event }) => childExit(event)?.id === context.stopQueue[0],
          actions: [
            cancel(({ context }) => `kill:${context.stopQueue[0]}`),
            stopChild(({ context }) => context.stopQueue[0]!),
            assign({ stopQueue: ({ context }) => context.stopQueue.slice(1) }),
            { type: 'stopNext' },
          ],
        },
      },
    },
    stopped: { type: 'final' },
  },
});
