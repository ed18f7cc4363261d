import { createActor, createMachine } from 'xstate';
import type { AnyActorRef } from 'xstate';
import { asBerthError, cancelled, type ErrorKind } from '../../protocol/errdefs.js';
import type { Clock } from './clock.js';
import type { Handlers } from './handlers.js';
import type { JobArgs, JobName, JobOutput, JobStreams } from './job.js';
import type { Logger } from './log.js';

/** How a job ended, for observers such as the actor stream. */
export interface JobResult {
  id: string;
  /** The job actor's session id, as the actor stream names actors. */
  actorId: string;
  name: string;
  ok: boolean;
  kind?: ErrorKind;
  message?: string;
  ms: number;
}

/**
 * The parent of every job actor. A job's end is relayed to its parent as `xstate.done.actor.<id>` or
 * `xstate.error.actor.<id>`; a machine that does not take an error event fails with it, so the host
 * takes both (the caller already heard of the result through its own subscription).
 */
export const jobsHost = createMachine({
  id: 'jobs',
  on: { 'xstate.done.actor.*': {}, 'xstate.error.actor.*': {} },
});

/** What the runner needs from the engine. */
export interface JobRunnerOptions {
  /**
   * The actor jobs are spawned under (they join its system, so inspection and ask() see them); a
   * function, because a supervisor may have restarted the host since the last job.
   */
  host: () => AnyActorRef;
  /** Handed to every job as `input.ctx`. */
  ctx: unknown;
  log: Logger;
  clock: Clock;
  onFinish?: (result: JobResult) => void;
}

/**
 * Runs jobs: one temporary actor per call, logged `+job` / `-job`. A job never restarts: its failure
 * settles the caller's promise with a BerthError of the job's kind, and nothing else.
 */
export class JobRunner {
  private seq = 0;
  private readonly running = new Set<string>();
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly handlers: Handlers,
    private readonly opts: JobRunnerOptions,
  ) {}

  /** Runs a job to completion and returns its output. */
  run<N extends JobName>(name: N, args: JobArgs<N>, streams: JobStreams = {}): Promise<JobOutput<N>> {
    const def = this.handlers.get(name);
    const id = `${name}#${++this.seq}`;
    const label = `${name}(${def.describe ? def.describe(args as never) : ''})`;
    const started = this.opts.clock.now();
    const actor = createActor(def.logic, { parent: this.opts.host(), id, input: { name, args, ctx: this.opts.ctx, ...streams } });
    this.running.add(id);
    this.opts.log.info(`+job ${label}`);
    return new Promise<JobOutput<N>>((resolve, reject) => {
      const finish = (err?: unknown) => {
        this.running.delete(id);
        const ms = this.opts.clock.now() - started;
        const e = err === undefined ? undefined : asBerthError(err, `job ${name}`);
        this.opts.log.info(`-job ${label} = ${e ? `ERR ${e.kind}` : 'OK'}`, e ? { error: e.message } : undefined);
        this.opts.onFinish?.({ id, actorId: actor.sessionId, name, ok: !e, ...(e && { kind: e.kind, message: e.message }), ms });
        if (!this.running.size) this.wakeIdle();
        if (e) reject(e);
        else resolve(actor.getSnapshot().output as JobOutput<N>);
      };
      // A job stopped from outside completes without output: that is a cancellation, not a success.
      const completed = () => finish(actor.getSnapshot().status === 'done' ? undefined : cancelled(`job ${name}: stopped before it finished`));
      actor.subscribe({ complete: completed, error: (err) => finish(err) });
      actor.start();
    });
  }

  /** How many jobs are running. */
  get inFlight(): number {
    return this.running.size;
  }

  /** How many jobs of one name are running. */
  count(name: string): number {
    let n = 0;
    for (const id of this.running) if (id.startsWith(`${name}#`)) n++;
    return n;
  }

  /** Resolves once no job is running. */
  idle(): Promise<void> {
    if (!this.running.size) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
