/**
 * A test daemon that stops dead at one point of a container's run, so a test can kill -9 it there:
 * run as `node halting-daemon.js <dir> <point>`, it serves on <dir> (as startTestDaemon does) with
 * the native runtime, and at <point> prints `halted <id>` and never goes on.
 *
 *   create       right after the shim is spawned (exec.create), before the network is connected
 *   start        at exec.start: the shim and its waiting init, cgroup, mount and network are there
 *   before-clean when an exit (released and recorded) reaches the runtime's clean, before it runs
 *   after-clean  right after the runtime's clean
 *
 * `spawnHaltingDaemon` starts it and waits until it answers; the parent kills it with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerState, ExecPaths } from '../../drivers/exec/backend.js';
import { NativeBackend } from '../../drivers/exec/native.js';
import type { OciSpec } from '../../drivers/exec/spec.js';
import { request, startTestDaemon } from './daemon.js';

/** Where a halting daemon stops. */
export type HaltPoint = 'create' | 'start' | 'before-clean' | 'after-clean';

const forever = (): Promise<never> => new Promise<never>(() => undefined);

/** The native runtime, halting at `point`. */
class HaltingBackend extends NativeBackend {
  constructor(private readonly point: HaltPoint) {
    super();
  }

  override async create(id: string, spec: OciSpec, paths: ExecPaths): Promise<ContainerState> {
    const s = await super.create(id, spec, paths);
    return this.point === 'create' ? this.halt(id) : s;
  }

  override async start(id: string): Promise<void> {
    if (this.point === 'start') return this.halt(id);
    await super.start(id);
  }

  override async clean(id: string): Promise<void> {
    if (this.point === 'before-clean') return this.halt(id);
    await super.clean(id);
    if (this.point === 'after-clean') return this.halt(id);
  }

  private halt(id: string): Promise<never> {
    process.stdout.write(`halted ${id}\n`);
    return forever();
  }
}

/** A halting daemon process and how to wait for it to halt. */
export interface HaltingDaemon {
  child: ChildProcess;
  /** Resolves with the container id once the daemon has halted. */
  halted: Promise<string>;
  /** SIGKILLs the daemon (no shutdown of any kind) and waits for it to be gone. */
  kill9(): Promise<void>;
}

/** Starts `halting-daemon.js` on `dir` and waits until its API answers. */
export async function spawnHaltingDaemon(dir: string, point: HaltPoint): Promise<HaltingDaemon> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), dir, point], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const halted = new Promise<string>((resolve) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^halted (\S+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`halting daemon exited: ${out}`);
    if (await request(path.join(dir, 'berth.sock'), 'GET', '/_ping').then((r) => r.status === 200, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child, halted,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, point] = process.argv.slice(2) as [string, HaltPoint];
  await startTestDaemon({}, { execBackend: new HaltingBackend(point) }, dir);
}
