import type { Readable, Writable } from 'node:stream';
import type { AnyActorLogic, OutputFrom } from 'xstate';

/**
 * The typed catalogue of jobs: job name → its arguments and output. Each job file adds its own entry
 * by augmenting this interface, so `engine.job('system.version', …)` is checked end to end:
 *
 *     declare module '../kernel/job.js' { interface Jobs { 'system.version': JobType<void, SystemVersion> } }
 */
export interface Jobs {}

/** The argument and output types of one job. */
export interface JobType<Args, Output> {
  args: Args;
  output: Output;
}

/** A job's name. */
export type JobName = keyof Jobs & string;
/** The arguments of a job. */
export type JobArgs<N extends JobName> = Jobs[N] extends JobType<infer A, unknown> ? A : never;
/** The output of a job. */
export type JobOutput<N extends JobName> = Jobs[N] extends JobType<unknown, infer O> ? O : never;

/** What a running job's status is, as the actor stream and logs show it. */
export type JobStatus = 'running' | 'done' | 'failed';

/** Optional streams of a job: a request body to read, a response to write progressively. */
export interface JobStreams {
  stdin?: Readable;
  stdout?: Writable;
  /** Aborted when the caller goes away (e.g. an HTTP client hung up). */
  signal?: AbortSignal;
}

/**
 * What every job actor gets as input: its arguments, its streams and the engine context (whatever
 * services the engine hands to jobs; typed by the engine, opaque to the kernel).
 */
export interface JobInput<Args, Ctx = unknown> extends JobStreams {
  name: string;
  args: Args;
  ctx: Ctx;
}

/**
 * The actor logic of a job: any xstate logic (a machine, fromPromise, …) whose input is a JobInput
 * and whose output is the job's result. xstate's logic types are invariant in their snapshot, so the
 * stored type is the loose one and `defineJob` checks the output against the catalogue.
 */
export type JobLogic = AnyActorLogic;

/** A job definition: its name, its logic, and how its arguments read in a `+job name(args)` log line. */
export interface JobDef<N extends string = string, Args = unknown> {
  name: N;
  logic: JobLogic;
  describe?: (args: Args) => string;
}

/** Builds a typed job definition for a name in the `Jobs` catalogue. */
export function defineJob<N extends JobName, L extends AnyActorLogic>(
  name: N,
  logic: L & (OutputFrom<L> extends JobOutput<N> ? unknown : { outputMismatch: JobOutput<N> }),
  describe?: (args: JobArgs<N>) => string,
): JobDef<N, JobArgs<N>> {
  return describe ? { name, logic, describe } : { name, logic };
}
