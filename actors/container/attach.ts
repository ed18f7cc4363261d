import type { Readable, Writable } from 'node:stream';
import { fromPromise } from 'xstate';
import type { ProcessStreams } from '../../drivers/exec/backend.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { detachKeys, pumpInput, pumpOutput } from './stdio.js';
import { writeLogs } from './logs.js';

/** Arguments of container.attach (POST /containers/{id}/attach). */
export interface AttachArgs {
  ref: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  stream: boolean;
  logs: boolean;
  detachKeys?: string;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'container.attach': JobType<AttachArgs, { detached: boolean }>;
  }
}

/** The container's streams: at once when it runs, else when its next start reaches the runtime. */
function containerStreams(ctx: EngineContext, r: ContainerRecord, signal?: AbortSignal): Promise<ProcessStreams | null> {
  // A TTY's stdin is never closed by an attach going away (dockerd): detaching must leave the shell running.
  const connect = () => ctx.ask<ProcessStreams>('execdriver', { type: 'exec.attach', id: r.Id, options: { stdinOnce: !!r.Config.StdinOnce && !r.Config.Tty } });
  if (r.State.Running) return connect();
  return new Promise((resolve, reject) => {
    const unregister = ctx.attachments.register(r.Id, () => connect().then(resolve, reject));
    signal?.addEventListener('abort', () => {
      unregister();
      resolve(null);
    });
  });
}

/**
 * Attaches a client to a container: past output first when `logs`, then live output until the
 * container's process ends, and the client's input to its stdin until the client detaches.
 */
export async function attachContainer(ctx: EngineContext, args: AttachArgs, out: Writable, input: Readable | undefined, signal?: AbortSignal): Promise<{ detached: boolean }> {
  const r = await ctx.call('containers', 'find', [args.ref]);
  const tty = !!r.Config.Tty;
  const keys = detachKeys(args.detachKeys);
  if (args.logs) await writeLogs(r.LogPath, out, { tty, stdout: args.stdout, stderr: args.stderr });
  if (!args.stream) return { detached: false };
  const s = await containerStreams(ctx, r, signal);
  if (!s) return { detached: false };
  ctx.bus.publish('container.attach', { id: r.Id, attributes: { name: r.Name.slice(1) } });
  const output = pumpOutput(s, out, { tty, stdout: args.stdout, stderr: args.stderr }).then(() => 'ended' as const);
  const typed = args.stdin && input && s.stdin ? pumpInput(input, s.stdin, keys, !!r.Config.StdinOnce && !r.Config.Tty) : new Promise<never>(() => {});
  const left = new Promise<'left'>((resolve) => signal?.addEventListener('abort', () => resolve('left')));
  const how = await Promise.race([output, typed.then((x) => (x === 'detached' ? x : new Promise<never>(() => {}))), left]);
  return { detached: how === 'detached' };
}

/** container.attach: its stdout is the client's connection, its stdin the client's input. */
export const attachJob = defineJob(
  'container.attach',
  fromPromise(async ({ input }: { input: JobInput<AttachArgs> }) => attachContainer(input.ctx as EngineContext, input.args, input.stdout!, input.stdin, input.signal)),
  (a) => a.ref,
);
