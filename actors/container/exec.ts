import { fromPromise } from 'xstate';
import { invalidParameter, system } from '../../protocol/errdefs.js';
import type { ExecConfig, ExecInspectResponse, IdResponse } from '../../protocol/types/container-ops.js';
import type { EngineContext } from '../context.js';
import type { ResourceEvent } from '../kernel/bus.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { transition } from '../services/containers/lifecycle.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { sleep } from './events.js';
import { detachKeys } from './stdio.js';

/** Arguments of container.exec (POST /containers/{id}/exec). */
export interface ExecCreateArgs {
  ref: string;
  config: ExecConfig;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'container.exec': JobType<ExecCreateArgs, IdResponse>;
    'exec.inspect': JobType<{ id: string }, ExecInspectResponse>;
    'exec.resize': JobType<{ id: string; height: number; width: number }, void>;
  }
}

declare module '../kernel/bus.js' {
  interface Topics {
    'container.exec_create': ResourceEvent;
    'container.exec_start': ResourceEvent;
    'container.exec_die': ResourceEvent;
    'container.exec_detach': ResourceEvent;
  }
}

/** Refuses an exec into a container that is not running, paused or restarting (dockerd's 409s). */
export function assertExecable(r: ContainerRecord): void {
  transition(r.State, { type: 'exec' }, r.Id);
}

/** The attributes dockerd puts on a container's events: its labels, name and image. */
export function containerAttributes(r: ContainerRecord, extra: Record<string, string> = {}): Record<string, string> {
  return { ...(r.Config.Labels ?? {}), image: r.Config.Image ?? '', name: r.Name.slice(1), ...extra };
}

/** `exec_start: sh -c true`: dockerd's action names the command (with a space even when it has no arguments). */
export function execAction(action: string, entrypoint: string, args: string[]): string {
  return `${action}: ${entrypoint} ${args.join(' ')}`;
}

/** Creates an exec instance in a running container; nothing runs until exec start. */
export async function createExec(ctx: EngineContext, a: ExecCreateArgs): Promise<IdResponse> {
  const r = await ctx.call('containers', 'find', [a.ref]);
  assertExecable(r);
  const cmd = a.config.Cmd ?? [];
  if (!cmd.length) throw invalidParameter('No exec command specified');
  let keys: Buffer = Buffer.alloc(0);
  try {
    if (a.config.DetachKeys) keys = detachKeys(a.config.DetachKeys);
  } catch {
    throw invalidParameter(`Invalid escape keys (${a.config.DetachKeys}) provided`);
  }
  const store = await ctx.call('containers', 'execs', []);
  const e = store.add(r.Id, { ...a.config, Cmd: cmd }, keys);
  const action = execAction('exec_create', e.entrypoint, e.args);
  ctx.bus.publish('container.exec_create', { id: r.Id, action, attributes: containerAttributes(r, { execID: e.id }) });
  return { Id: e.id };
}

const READY_MS = 10_000;

/**
 * Resizes an exec's terminal. The docker CLI sends it as soon as it has started the exec, so it waits
 * (up to 10 s, as dockerd) for the process to be there; a process without a terminal has nothing to resize.
 */
export async function resizeExec(ctx: EngineContext, id: string, height: number, width: number): Promise<void> {
  const store = await ctx.call('containers', 'execs', []);
  const e = store.get(id);
  assertExecable(await ctx.call('containers', 'find', [e.containerId]));
  if ((await Promise.race([e.started.then(() => 'ready' as const), sleep(ctx, READY_MS)])) === 'timeout') throw system('timeout waiting for exec session ready');
  if (!e.pid) throw invalidParameter('exec process is not started');
  if (!e.tty || e.exitCode !== null) return;
  await ctx.ask('execdriver', { type: 'exec.resizeExec', id: e.containerId, pid: e.pid, rows: height, cols: width });
}

/** container.exec. */
export const execCreateJob = defineJob(
  'container.exec',
  fromPromise(async ({ input }: { input: JobInput<ExecCreateArgs> }) => createExec(input.ctx as EngineContext, input.args)),
  (a) => `${a.ref}, ${(a.config.Cmd ?? []).join(' ')}`,
);

/** exec.inspect (GET /exec/{id}/json). */
export const execInspectJob = defineJob(
  'exec.inspect',
  fromPromise(async ({ input }: { input: JobInput<{ id: string }> }) => (await (input.ctx as EngineContext).call('containers', 'execs', [])).inspect(input.args.id)),
  (a) => a.id,
);

/** exec.resize (POST /exec/{id}/resize). */
export const execResizeJob = defineJob(
  'exec.resize',
  fromPromise(async ({ input }: { input: JobInput<{ id: string; height: number; width: number }> }) => resizeExec(input.ctx as EngineContext, input.args.id, input.args.height, input.args.width)),
  (a) => `${a.id}, ${a.height}x${a.width}`,
);
