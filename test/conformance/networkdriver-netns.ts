/**
 * Network namespaces for network tests: an `unshare --net sleep` child stands for a container (its
 * namespace lives as long as the child), commands run inside with `nsenter --net`. Children are
 * killed by pid at teardown; their namespaces, and any veth end inside, go with them.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Test } from 'tap';

const execFileP = promisify(execFile);

/** A process in a fresh network namespace. */
export interface NetnsChild {
  pid: number;
  /** /proc/<pid>/ns/net. */
  path: string;
  /** Runs a command inside the namespace and resolves with its stdout (rejects on a non-zero exit). */
  exec(cmd: string, args: string[], timeoutMs?: number): Promise<string>;
  /** Starts a long-running command inside the namespace; killed at teardown. */
  spawn(cmd: string, args: string[]): ChildProcess;
  /** Whether a command inside the namespace exits 0 (synchronous; for short probes). */
  ok(cmd: string, args: string[]): boolean;
  /** Ends the child (and so the namespace, once nothing else holds it). */
  kill(): Promise<void>;
}

/** Resolves once `pred` holds (polling every 20 ms), or rejects after `ms`. */
export async function until(pred: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts a child in a new network namespace; it and everything spawned in it die at teardown. */
export async function netnsChild(t: Test): Promise<NetnsChild> {
  const child = spawn('unshare', ['--net', 'sleep', '3600'], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('unshare --net: no child');
  const spawned: ChildProcess[] = [];
  const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null && c.pid !== undefined;
  const stop = (c: ChildProcess) => running(c) && process.kill(c.pid!, 'SIGKILL');
  t.teardown(() => {
    spawned.forEach(stop);
    stop(child);
  });
  const path = `/proc/${pid}/ns/net`;
  const own = readlinkSync('/proc/self/ns/net');
  await until(() => {
    try {
      return readlinkSync(path) !== own;
    } catch {
      return false;
    }
  }, 5000, 'unshare --net to enter its namespace');
  const nsenter = (cmd: string, args: string[]) => ['--net=' + path, cmd, ...args];
  return {
    pid,
    path,
    exec: async (cmd, args, timeoutMs = 10_000) => (await execFileP('nsenter', nsenter(cmd, args), { timeout: timeoutMs })).stdout,
    spawn: (cmd, args) => {
      const c = spawn('nsenter', nsenter(cmd, args), { stdio: ['ignore', 'pipe', 'pipe'] });
      spawned.push(c);
      return c;
    },
    ok: (cmd, args) => spawnSync('nsenter', nsenter(cmd, args), { stdio: 'ignore', timeout: 10_000 }).status === 0,
    kill: async () => {
      spawned.forEach(stop);
      if (!running(child)) return;
      const exited = new Promise((r) => child.once('exit', r));
      stop(child);
      await exited;
    },
  };
}
