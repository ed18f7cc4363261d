import type { KernelProbe } from '../drivers/native/addon.js';
import type { EngineConfig } from './config.js';
import type { Bus } from './kernel/bus.js';
import type { Clock } from './kernel/clock.js';
import type { JobArgs, JobName, JobOutput, JobStreams } from './kernel/job.js';
import type { Logger } from './kernel/log.js';
import type { CallArgs, CallResult, ServiceMethod, ServiceName } from './kernel/service.js';
import type { Attachments } from './services/containers/attachments.js';
import type { EventLog } from './services/events.js';

/**
 * What every job gets from the engine (`input.ctx`): the configuration, the bus, the clock, the
 * logger, the kernel probe and a way to run other jobs. Long-lived actors are reached with ask().
 */
export interface EngineContext {
  config: EngineConfig;
  /** The daemon's persistent ID (Docker's engine ID), kept in the data root. */
  engineId: string;
  /** The daemon's name (the host name, as dockerd reports it). */
  name: string;
  startedAt: Date;
  bus: Bus;
  events: EventLog;
  clock: Clock;
  log: Logger;
  /** What this kernel offers (namespaces, cgroups, overlay…); a function so tests can swap it. */
  probe: () => KernelProbe;
  /** Calls a long-lived service by its systemId (`ctx.call('graph', 'inspect', [name])`). */
  call<S extends ServiceName, M extends ServiceMethod<S>>(service: S, method: M, args: CallArgs<S, M>): Promise<CallResult<S, M>>;
  /** Request / reply with a long-lived actor that is not a `call` service (the exec driver). */
  ask<T>(systemId: string, event: { type: string; [k: string]: unknown }, timeoutMs?: number): Promise<T>;
  /** Which exec backend runs containers: native (berth-helper shims, cgroups) or fake (tests without root). */
  runtime: 'native' | 'fake';
  /** Attaches waiting for their container's start. */
  attachments: Attachments;
  /** Runs another job. */
  job<N extends JobName>(name: N, args: JobArgs<N>, streams?: JobStreams): Promise<JobOutput<N>>;
  /** How many /events streams are open (Docker's NEventsListener). */
  eventListeners(): number;
}

