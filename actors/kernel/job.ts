import type { Readable, Writable } from 'node:stream';
import type { ActorLogic, ActorSystem, ActorSystemInfo, AnyEventObject, Snapshot } from 'xstate';

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

/** The actor logic of a job: any xstate logic whose input is a JobInput and whose output is the result. */
export type JobLogic<Args = unknown, Output = unknown> = ActorLogic<
  Snapshot<Output>,
  AnyEventObject,
  JobInput<Args>,
  ActorSystem<ActorSystemInfo>,
  AnyEventObject
>;

/** A job definition: its name, its logic, and how its arguments read in a `+job name(args)` log line. */
export interface JobDef<N extends string = string, Args = unknown, Output = unknown> {
  name: N;
  logic: JobLogic<Args, Output>;
  describe?: (args: Args) => string;
}

/** Builds a typed job definition for a name in the `Jobs` catalogue. */
export function defineJob<N extends JobName>(
  name: N,
  logic: JobLogic<JobArgs<N>, JobOutput<N>>,
  describe?: (args: JobArgs<N>) => string,
): JobDef<N, JobArgs<N>, JobOutput<N>> {
  return describe ? { name, logic, describe } : { name, logic };
}
