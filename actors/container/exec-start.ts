import type { Readable, Writable } from 'node:stream';
import { fromPromise } from 'xstate';
import { asBerthError, conflict, invalidParameter, kindOf } from '../../protocol/errdefs.js';
import type { ExecProcess } from '../../drivers/exec/backend.js';
import type { OciProcess } from '../../drivers/exec/spec.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import type { ExecInstance, ExecStore } from '../services/containers/execs.js';
import { mergeEnv } from '../services/containers/merge.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { parseSecurityOpt } from '../services/containers/security-opt.js';
import { assertExecable, containerAttributes, execAction } from './exec.js';
import { commandFailure } from './exec-failure.js';
import { capabilities } from './spec.js';
import { detachKeys, pumpInput, pumpOutput } from './stdio.js';
import { resolveUser } from './user.js';

/** Arguments of exec.start (POST /exec/{id}/start). */
export interface ExecStartArgs {
  id: string;
  /** Start and return at once, the output discarded. */
  detach: boolean;
  /** Frame the output per stream (the start request's Tty is false), as dockerd decides it. */
  multiplexed: boolean;
  /** [height, width]; else the size given at create. */
  consoleSize?: [number, number] | null;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'exec.start': JobType<ExecStartArgs, void>;
  }
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The process to run: the container's environment and user unless the exec says otherwise (dockerd's rules). */
async function execProcess(ctx: EngineContext, r: ContainerRecord, e: ExecInstance, size: [number, number] | null): Promise<OciProcess> {
  const rootfs = await ctx.call('graphdriver', 'get', [r.rwLayer]);
  let user;
  try {
    user = resolveUser(rootfs, e.user || r.Config.User || '');
  } finally {
    await ctx.call('graphdriver', 'put', [r.rwLayer]);
  }
  const base = [DEFAULT_PATH, `HOSTNAME=${r.Config.Hostname || r.Id.slice(0, 12)}`, ...(e.tty ? ['TERM=xterm'] : [])];
  const env = mergeEnv(mergeEnv(base, r.Config.Env ?? []), e.env);
  if (!env.some((v) => v.startsWith('HOME='))) env.push(`HOME=${user.home}`);
  const caps = e.privileged ? capabilities({ ...r, HostConfig: { ...r.HostConfig, Privileged: true } }) : null;
  return {
    args: [e.entrypoint, ...e.args], env, cwd: e.workingDir || r.Config.WorkingDir || '/', terminal: e.tty,
    user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length && { additionalGids: user.additionalGids }) },
    ...(e.tty && size && { consoleSize: { height: size[0], width: size[1] } }),
    ...(caps && { capabilities: { bounding: caps, effective: caps, permitted: caps } }),
    // As dockerd: the exec runs with the container's process settings, no_new_privs included.
    noNewPrivileges: parseSecurityOpt(r.HostConfig.SecurityOpt).noNewPrivileges,
  };
}

/** dockerd's prefix of a failed exec, before runc's words (the CLI prints them, and exits 127 / 126 by them). */
const EXEC_FAILED = 'OCI runtime exec failed: exec failed: unable to start container process: ';

/** dockerd's exit code of an exec that failed other than by its command: cannot invoke. */
const EXEC_EXIT_OTHER = 126;

/** Runs the instance's process and records its start; a failure is recorded as dockerd does (126 / 127). */
async function launch(ctx: EngineContext, store: ExecStore, r: ContainerRecord, e: ExecInstance, size: [number, number] | null): Promise<ExecProcess> {
  try {
    const p = await ctx.ask<ExecProcess>('execdriver', { type: 'exec.exec', id: r.Id, process: await execProcess(ctx, r, e, size) });
    store.started(e.id, p.pid);
    return p;
  } catch (err) {
    const f = commandFailure(asBerthError(err), EXEC_FAILED, EXEC_EXIT_OTHER);
    store.exited(e.id, f.exitCode);
    throw kindOf(err) === 'Conflict' ? conflict(f.message) : invalidParameter(f.message, err);
  }
}

/** Records the process's end when it comes: the exit code, then exec_die. */
function recordExit(ctx: EngineContext, store: ExecStore, r: ContainerRecord, e: ExecInstance, p: ExecProcess): Promise<void> {
  return p.exit.then(({ exitCode }) => {
    store.exited(e.id, exitCode);
    ctx.bus.publish('container.exec_die', { id: r.Id, attributes: containerAttributes(r, { execID: e.id, exitCode: String(exitCode) }) });
  });
}

/**
 * Starts an exec instance: its process runs once. Attached, the client's input goes to its stdin until
 * the input ends (then the stdin closes) or the detach keys come, and its output to the client until it
 * exits; the exit code is recorded before this returns, so a client that reads it next finds it. A
 * client that leaves takes the process with it (SIGKILL, as dockerd).
 */
export async function startExec(ctx: EngineContext, a: ExecStartArgs, out?: Writable, input?: Readable, signal?: AbortSignal): Promise<void> {
  const store = await ctx.call('containers', 'execs', []);
  const r = await ctx.call('containers', 'find', [store.get(a.id).containerId]);
  assertExecable(r);
  const e = store.claim(a.id);
  ctx.bus.publish('container.exec_start', { id: r.Id, action: execAction('exec_start', e.entrypoint, e.args), attributes: containerAttributes(r, { execID: e.id }) });
  const p = await launch(ctx, store, r, e, a.consoleSize ?? e.consoleSize);
  const exited = recordExit(ctx, store, r, e, p);
  if (!e.openStdin && !e.tty) p.stdin?.end();
  if (a.detach || !out) {
    p.stdout.resume();
    p.stderr.resume();
    return;
  }
  const keys = e.detachKeys.length ? e.detachKeys : detachKeys(undefined);
  const output = pumpOutput(p, out, { tty: !a.multiplexed, stdout: e.openStdout, stderr: e.openStderr });
  const typed = e.openStdin && input && p.stdin ? pumpInput(input, p.stdin, keys, true) : new Promise<never>(() => {});
  const left = new Promise<'left'>((resolve) => signal?.addEventListener('abort', () => resolve('left')));
  const how = await Promise.race([Promise.all([output, exited]).then(() => 'ended' as const), typed.then((x) => (x === 'detached' ? x : new Promise<never>(() => {}))), left]);
  if (how === 'detached') ctx.bus.publish('container.exec_detach', { id: r.Id, attributes: containerAttributes(r, { execID: e.id }) });
  if (how === 'left' && e.exitCode === null) killExec(p.pid);
}

// The process is ours (the shim forked it for this exec) and has not exited yet: its pid is still its own.
function killExec(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // it exited meanwhile
  }
}

/** exec.start: its stdout is the client's connection, its stdin the client's input. */
export const execStartJob = defineJob(
  'exec.start',
  fromPromise(async ({ input }: { input: JobInput<ExecStartArgs> }) => startExec(input.ctx as EngineContext, input.args, input.stdout, input.stdin, input.signal)),
  (a) => `${a.id}${a.detach ? ', detach' : ''}`,
);
