/**
 * The native exec backend: each container has a berth-helper shim (spawn-shim.ts) that owns its
 * init, stdio, log and exit status; this backend talks to STATE/shim.sock, and reads
 * STATE/exit.json once the shim is gone. Pause, resume and stats use the cgroup the engine made
 * (annotation berth.cgroup.path) through the native addon.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';

import { conflict, kindOf, notFound, notImplemented } from '../../protocol/errdefs.js';
import { loadNative, type NativeAddon } from '../native/addon.js';
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
import { helperPath } from './helper-path.js';
import { open, request, type ShimAnswer } from './shim-client.js';
import { spawnShim } from './spawn-shim.js';
import { ANNOTATION_CGROUP_PATH, type OciProcess, type OciSpec } from './spec.js';
import { demux } from './streams.js';

/** Options of the native backend. */
export interface NativeBackendOptions {
  /** The berth-helper binary (default: helperPath()). */
  helper?: string;
  /** --linger of the shims, in seconds. */
  lingerSeconds?: number;
  /** The addon, for cgroup calls (default: loadNative()). */
  addon?: () => Pick<NativeAddon, 'cgroupFreeze' | 'cgroupThaw' | 'cgroupStats' | 'watchPid' | 'sealedCopy' | 'spawnCollect'>;
}

interface Known {
  paths: ExecPaths;
  cgroup: string | null;
}

/** Reads STATE/exit.json, null when the container has not exited. */
export async function readExit(state: string): Promise<ExitStatus | null> {
  try {
    return JSON.parse(await readFile(path.join(state, 'exit.json'), 'utf8')) as ExitStatus;
  } catch {
    return null;
  }
}

/** The native runtime. */
export class NativeBackend implements ExecBackend {
  readonly name = 'native';
  private readonly known = new Map<string, Known>();
  private sealed: number | null | undefined;

  constructor(private readonly opts: NativeBackendOptions = {}) {}

  async create(id: string, spec: OciSpec, paths: ExecPaths): Promise<ContainerState> {
    checkContainerId(id, 'create container');
    if (this.known.has(id)) throw conflict(`create container ${id}: it already exists`);
    // Synchronous (a few small writes): the shim is on its way before the caller's next step gets
    // the event loop, so that the network is plugged in while the shim works (see start.ts).
    mkdirSync(paths.bundle, { recursive: true });
    // The state dir holds the control socket: the daemon's user only.
    mkdirSync(paths.state, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(paths.bundle, 'config.json'), JSON.stringify(spec));
    let ready;
    try {
      ready = await spawnShim(id, paths, { helper: this.helper(), run: this.addon().spawnCollect, sealedFd: this.sealedHelper(), lingerSeconds: this.opts.lingerSeconds });
    } catch (err) {
      // Nothing runs: leave no state behind (the bundle and the log are the caller's).
      await rm(paths.state, { recursive: true, force: true });
      throw err;
    }
    this.known.set(id, { paths, cgroup: spec.annotations?.[ANNOTATION_CGROUP_PATH] ?? null });
    return { id, pid: ready.pid, status: 'created', exit: null };
  }

  async start(id: string): Promise<void> {
    await this.ask(id, 'start', { op: 'start' });
  }

  async state(id: string): Promise<ContainerState> {
    const k = this.get(id);
    if (existsSync(this.sock(id))) {
      try {
        const a = await request(this.sock(id), { op: 'state' });
        return { id, pid: a.pid as number, status: a.status as ContainerState['status'], exit: (a.exit as ExitStatus | null) ?? null };
      } catch {
        // The shim went away between the check and the call: fall through to exit.json.
      }
    }
    const exit = await readExit(k.paths.state);
    if (!exit) throw notFound(`container ${id}: no shim and no exit status in ${k.paths.state}`);
    return { id, pid: 0, status: 'exited', exit };
  }

  async kill(id: string, signal: number | string): Promise<void> {
    await this.ask(id, 'kill', { op: 'kill', signal: signalNumber(signal) });
  }

  async pause(id: string): Promise<void> {
    this.addon().cgroupFreeze(this.cgroup(id, 'pause'));
  }

  async resume(id: string): Promise<void> {
    this.addon().cgroupThaw(this.cgroup(id, 'unpause'));
  }

  async stats(id: string): Promise<ContainerStats> {
    const s = this.addon().cgroupStats(this.cgroup(id, 'stats'));
    return { cpuUsageNs: s.cpuUsageNs, memoryUsage: s.memoryUsage, memoryLimit: s.memoryLimit, pids: s.pidsCurrent };
  }

  async wait(id: string): Promise<ExitStatus> {
    const k = this.get(id);
    try {
      const { socket, answer } = await open(this.sock(id), { op: 'wait' });
      socket.destroy();
      return answer.exit as ExitStatus;
    } catch (err) {
      const exit = await readExit(k.paths.state);
      if (exit) return exit;
      throw err;
    }
  }

  async exec(id: string, process: OciProcess): Promise<ExecProcess> {
    const { socket, answer } = await this.openOrGone(id, 'exec', { op: 'exec', process });
    const d = demux(socket);
    const exit = d.exit.then((e) => (e as { exitCode: number; signal: number | null } | null) ?? { exitCode: 137, signal: null });
    return { pid: answer.pid as number, tty: answer.tty === true, stdout: d.stdout, stderr: d.stderr, stdin: d.stdin, exit };
  }

  async attach(id: string, options: AttachOptions = {}): Promise<ProcessStreams> {
    const { socket, answer } = await this.openOrGone(id, 'attach', { op: 'attach', stdinOnce: options.stdinOnce ?? false });
    const d = demux(socket);
    return { tty: answer.tty === true, stdout: d.stdout, stderr: d.stderr, stdin: answer.stdin === true ? d.stdin : null };
  }

  async resize(id: string, rows: number, cols: number): Promise<void> {
    await this.ask(id, 'resize', { op: 'resize', rows, cols });
  }

  async resizeExec(id: string, pid: number, rows: number, cols: number): Promise<void> {
    await this.ask(id, 'resize exec', { op: 'resize', rows, cols, exec: pid });
  }

  async clean(id: string): Promise<void> {
    const k = this.get(id);
    // exit.json says it exited without a round trip to the shim; without it, the shim is asked.
    const st = (await readExit(k.paths.state)) ? null : await this.state(id).catch(() => null);
    if (st && st.status !== 'exited') throw conflict(`clean container ${id}: it is ${st.status}`);
    // No socket: the shim is gone already (and shim.json's pid may name another process by now).
    if (existsSync(this.sock(id))) {
      await request(this.sock(id), { op: 'shutdown' }).catch(() => undefined);
      await waitForShimExit(k.paths.state, this.addon());
    }
    await rm(k.paths.state, { recursive: true, force: true });
    this.known.delete(id);
  }

  async reattach(id: string, paths: ExecPaths): Promise<ContainerState> {
    checkContainerId(id, 'reattach container');
    const spec = JSON.parse(await readFile(path.join(paths.bundle, 'config.json'), 'utf8')) as OciSpec;
    this.known.set(id, { paths, cgroup: spec.annotations?.[ANNOTATION_CGROUP_PATH] ?? null });
    try {
      return await this.state(id);
    } catch (err) {
      // Neither shim nor exit status: nothing to adopt, and a later create must not find it known.
      this.known.delete(id);
      throw err;
    }
  }

  /** One request; a shim that is gone because the container exited is a Conflict, as for a stopped container. */
  private async ask(id: string, op: string, req: Record<string, unknown>): Promise<ShimAnswer> {
    const { socket, answer } = await this.openOrGone(id, op, req);
    socket.destroy();
    return answer;
  }

  private async openOrGone(id: string, op: string, req: Record<string, unknown>) {
    try {
      return await open(this.sock(id), req);
    } catch (err) {
      if (kindOf(err) === 'Unavailable' && (await readExit(this.get(id).paths.state))) {
        throw conflict(`${op} container ${id}: it is not running`);
      }
      throw err;
    }
  }

  private get(id: string): Known {
    const k = this.known.get(id);
    if (!k) throw notFound(`No such container: ${id}`);
    return k;
  }

  private sock(id: string): string {
    return path.join(this.get(id).paths.state, 'shim.sock');
  }

  private cgroup(id: string, op: string): string {
    const c = this.get(id).cgroup;
    if (!c) throw notImplemented(`${op} container ${id}: it has no cgroup (annotation ${ANNOTATION_CGROUP_PATH})`);
    return c;
  }

  private addon() {
    return (this.opts.addon ?? loadNative)();
  }

  private helper(): string {
    return this.opts.helper ?? helperPath();
  }

  /**
   * The sealed in-memory copy of the helper that every shim runs from, made on first use and kept
   * open for the daemon's life. If it cannot be made, each helper copies itself as before.
   */
  private sealedHelper(): number | undefined {
    if (this.sealed === undefined) {
      try {
        this.sealed = this.addon().sealedCopy(this.helper(), 'berth-helper');
      } catch {
        this.sealed = null;
      }
    }
    return this.sealed ?? undefined;
  }
}

/** How long clean() waits for a shim told to shut down before it removes the state dir anyway. */
const SHIM_EXIT_TIMEOUT_MS = 5000;

/**
 * Waits (up to 5 s) for the shim named in STATE/shim.json to be gone, told by a pidfd (the addon's
 * watcher thread): no polling, so a `run --rm` does not pay a sleep per container. A pidfd becomes
 * readable when the shim exits, before whoever adopted it reaps it: a zombie counts as gone.
 */
async function waitForShimExit(state: string, addon: Pick<NativeAddon, 'watchPid'>): Promise<void> {
  let pid: number;
  try {
    pid = (JSON.parse(await readFile(path.join(state, 'shim.json'), 'utf8')) as { shimPid: number }).shimPid;
  } catch {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const gone = new Promise<void>((resolve) => {
    try {
      addon.watchPid(pid, () => resolve());
    } catch {
      resolve(); // not watchable (a bad pid in shim.json): nothing to wait for
    }
  });
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHIM_EXIT_TIMEOUT_MS)));
  await Promise.race([gone, late]);
  clearTimeout(timer);
}
