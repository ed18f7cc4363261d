/**
 * The fake exec backend: the container is a plain child process running the spec's argv in a
 * scratch dir, with no isolation at all. It keeps the native backend's contract (states, exit
 * codes with 128 + signal, json-file log, exit.json, attach, exec) so tests without root can
 * drive the exec driver. Processes are kept per state dir for the whole Node process, so a
 * second backend instance can reattach as a restarted daemon would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';

import { BerthError, conflict, notFound } from '../../protocol/errdefs.js';
import {
  checkContainerId,
  signalNumber,
  type AttachOptions,
  type ContainerState,
  type ContainerStats,
  type ExecBackend,
  type ExecPaths,
  type ExecProcess,
  type ExitStatus,
  type ProcessStreams,
} from './backend.js';
import { JsonLogWriter } from './jsonlog.js';
import { readExit } from './native.js';
import { ANNOTATION_STDIN, type OciProcess, type OciSpec } from './spec.js';

interface FakeContainer {
  id: string;
  spec: OciSpec;
  paths: ExecPaths;
  child: ChildProcess | null;
  exit: ExitStatus | null;
  exited: Promise<ExitStatus>;
  settle: (e: ExitStatus) => void;
  attached: Set<{ stdout: PassThrough; stderr: PassThrough }>;
}

// By state dir: survives a backend instance, as shims survive a daemon.
const live = new Map<string, FakeContainer>();

/** Exit code as Docker reports it. */
function exitOf(code: number | null, signal: NodeJS.Signals | null): { exitCode: number; signal: number | null } {
  if (signal) {
    const n = constants.signals[signal];
    return { exitCode: 128 + n, signal: n };
  }
  return { exitCode: code ?? 0, signal: null };
}

/** As the native runtime reports it: the exec step failed, with spawn's errno (Node's is negative). */
function spawnFailure(file: string, e: NodeJS.ErrnoException): BerthError {
  const errno = typeof e.errno === 'number' ? Math.abs(e.errno) : undefined;
  const failure = { step: 'exec' as const, syscall: 'spawn', path: file, ...(errno !== undefined && { errno }) };
  return new BerthError('Conflict', `exec ${JSON.stringify(file)}: ${e.message}`, { cause: e, failure });
}

function cwdOf(c: FakeContainer): string {
  return path.join(c.paths.state, 'cwd');
}

/** The unprivileged runtime for tests. */
export class FakeBackend implements ExecBackend {
  readonly name = 'fake';
  private readonly mine = new Map<string, FakeContainer>();

  async create(id: string, spec: OciSpec, paths: ExecPaths): Promise<ContainerState> {
    checkContainerId(id, 'create container');
    if (this.mine.has(id)) throw conflict(`create container ${id}: it already exists`);
    await mkdir(paths.bundle, { recursive: true });
    await mkdir(path.join(paths.state, 'cwd'), { recursive: true });
    await writeFile(path.join(paths.bundle, 'config.json'), JSON.stringify(spec));
    await rm(path.join(paths.state, 'exit.json'), { force: true });
    let settle: (e: ExitStatus) => void = () => {};
    const exited = new Promise<ExitStatus>((r) => (settle = r));
    const c: FakeContainer = { id, spec, paths, child: null, exit: null, exited, settle, attached: new Set() };
    this.mine.set(id, c);
    live.set(paths.state, c);
    return { id, pid: 0, status: 'created', exit: null };
  }

  async start(id: string): Promise<void> {
    const c = this.get(id);
    if (c.child || c.exit) throw conflict(`start container ${id}: it is already started`);
    const [file, ...args] = c.spec.process.args;
    const log = new JsonLogWriter(c.paths.log);
    // No mounts here: a file bound over the command (--init's /sbin/docker-init) runs from its source.
    const bound = c.spec.mounts?.find((m) => m.type === 'bind' && m.destination === file)?.source;
    const child = spawn(bound ?? file!, args, { argv0: file, cwd: cwdOf(c), env: envOf(c.spec.process.env), stdio: ['pipe', 'pipe', 'pipe'] });
    c.child = child;
    // As the native runtime: stdin is a pipe only when the spec keeps it open, else end of file.
    if (c.spec.annotations?.[ANNOTATION_STDIN] !== 'open') child.stdin!.end();
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]!.on('data', (d: Buffer) => {
        log.write(stream, d);
        for (const a of c.attached) a[stream].write(d);
      });
    }
    child.once('close', (code, signal) => void this.finish(c, log, exitOf(code, signal)));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e) => {
        // As the native runtime: the start fails and the container exits 127 (not found).
        void this.finish(c, log, { exitCode: 127, signal: null });
        reject(spawnFailure(file!, e));
      });
    });
  }

  private async finish(c: FakeContainer, log: JsonLogWriter, e: { exitCode: number; signal: number | null }): Promise<void> {
    if (c.exit) return;
    const exit: ExitStatus = { ...e, oomKilled: false, finishedAt: new Date().toISOString() };
    c.exit = exit;
    log.flush();
    const tmp = path.join(c.paths.state, '.exit.json.tmp');
    await writeFile(tmp, JSON.stringify(exit));
    await rename(tmp, path.join(c.paths.state, 'exit.json'));
    for (const a of c.attached) {
      a.stdout.end();
      a.stderr.end();
    }
    c.settle(exit);
  }

  async state(id: string): Promise<ContainerState> {
    const c = this.get(id);
    const status = c.exit ? 'exited' : c.child ? 'running' : 'created';
    return { id, pid: c.child?.pid ?? 0, status, exit: c.exit };
  }

  async kill(id: string, signal: number | string): Promise<void> {
    const c = this.running(id, 'kill');
    c.child!.kill(signalNumber(signal));
  }

  async pause(id: string): Promise<void> {
    this.running(id, 'pause').child!.kill('SIGSTOP');
  }

  async resume(id: string): Promise<void> {
    this.running(id, 'unpause').child!.kill('SIGCONT');
  }

  async stats(id: string): Promise<ContainerStats> {
    const pid = this.running(id, 'stats').child!.pid;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    return { cpuUsageNs: null, memoryUsage: rss ? Number(rss[1]) * 1024 : null, memoryLimit: null, pids: 1 };
  }

  wait(id: string): Promise<ExitStatus> {
    return this.get(id).exited;
  }

  async exec(id: string, p: OciProcess): Promise<ExecProcess> {
    const c = this.running(id, 'exec');
    const [file, ...args] = p.args;
    const child = spawn(file!, args, { cwd: cwdOf(c), env: envOf(p.env ?? c.spec.process.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const exit = new Promise<{ exitCode: number; signal: number | null }>((resolve) => {
      child.once('error', () => resolve({ exitCode: 127, signal: null }));
      child.once('close', (code, signal) => resolve(exitOf(code, signal)));
    });
    return { pid: child.pid ?? 0, tty: false, stdout: child.stdout!, stderr: child.stderr!, stdin: child.stdin!, exit };
  }

  async attach(id: string, options: AttachOptions = {}): Promise<ProcessStreams> {
    const c = this.get(id);
    if (c.exit) throw conflict(`container ${id} is not running`);
    const a = { stdout: new PassThrough(), stderr: new PassThrough() };
    c.attached.add(a);
    a.stdout.once('close', () => c.attached.delete(a));
    return { ...a, stdin: this.stdinFor(c, options.stdinOnce ?? false), tty: false };
  }

  // The container's stdin for one attach: writes pass through; its end closes the container's
  // stdin only with stdinOnce. Before start there is no pipe yet, so writes wait for it.
  private stdinFor(c: FakeContainer, once: boolean): Writable | null {
    if (c.spec.annotations?.[ANNOTATION_STDIN] !== 'open') return null;
    const target = async () => {
      while (!c.child && !c.exit) await new Promise((r) => setTimeout(r, 10));
      return c.child?.stdin ?? null;
    };
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => void target().then((s) => (s && !s.destroyed ? s.write(chunk, () => cb()) : cb())),
      final: (cb) => void target().then((s) => {
        if (once) s?.end();
        cb();
      }),
    });
  }

  async resize(id: string): Promise<void> {
    this.get(id);
    throw conflict(`resize container ${id}: the process has no terminal`);
  }

  async resizeExec(id: string): Promise<void> {
    this.get(id);
    throw conflict(`resize exec in container ${id}: the process has no terminal`);
  }

  async clean(id: string): Promise<void> {
    const c = this.get(id);
    if (!c.exit && c.child) throw conflict(`clean container ${id}: it is running`);
    await rm(c.paths.state, { recursive: true, force: true });
    live.delete(c.paths.state);
    this.mine.delete(id);
  }

  async reattach(id: string, paths: ExecPaths): Promise<ContainerState> {
    checkContainerId(id, 'reattach container');
    const c = live.get(paths.state);
    if (c) {
      this.mine.set(id, c);
      return this.state(id);
    }
    const exit = await readExit(paths.state);
    if (!exit) throw notFound(`container ${id}: no process and no exit status in ${paths.state}`);
    const spec = JSON.parse(await readFile(path.join(paths.bundle, 'config.json'), 'utf8')) as OciSpec;
    const gone: FakeContainer = { id, spec, paths, child: null, exit, exited: Promise.resolve(exit), settle: () => {}, attached: new Set() };
    this.mine.set(id, gone);
    return this.state(id);
  }

  private get(id: string): FakeContainer {
    const c = this.mine.get(id);
    if (!c) throw notFound(`No such container: ${id}`);
    return c;
  }

  private running(id: string, op: string): FakeContainer {
    const c = this.get(id);
    if (!c.child || c.exit) throw conflict(`${op} container ${id}: it is not running`);
    return c;
  }
}

// The spec's environment, with the host's PATH when the spec has none (there is no rootfs here).
function envOf(env: string[] | undefined): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const kv of env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  out.PATH ??= process.env.PATH;
  return out;
}
