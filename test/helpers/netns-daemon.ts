import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request, testDir, type TestResponse } from './daemon.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A `berth daemon` process in a network namespace of its own (`unshare --net`, loopback up), so its
 * bridges, nft table, veths and published ports cannot meet those of other daemons on this host
 * even by accident, and go with the namespace whatever happens.
 */
export interface NetnsDaemon {
  child: ChildProcess;
  dir: string;
  socket: string;
  log: () => string;
  request(method: string, urlPath: string, opts?: { body?: string | Buffer; headers?: Record<string, string> }): Promise<TestResponse>;
  /** Runs a command in the daemon's network namespace (its "host"); its stdout. */
  inNetns(cmd: string, args: string[]): string;
  /** Removes every container, then SIGTERM, waits for the exit, removes the directory. */
  close(): Promise<void>;
}

/** Starts the daemon and waits until /_ping answers. */
export async function startNetnsDaemon(extra: string[] = []): Promise<NetnsDaemon> {
  const dir = testDir();
  const socket = path.join(dir, 'berth.sock');
  const daemon = [path.join(ROOT, 'cli/bin/berth.js'), 'daemon', '-H', `unix://${socket}`, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), ...extra];
  // unshare and sh exec: the child's pid is the daemon's, and its namespace is /proc/<pid>/ns/net.
  const child = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, ...daemon], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`daemon exited: ${out}`);
    if (await request(socket, 'GET', '/_ping').then((r) => r.status === 200, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child, dir, socket, log: () => out,
    request: (m, p, o) => request(socket, m, p, o),
    inNetns: (cmd, args) => execFileSync('nsenter', [`--net=/proc/${child.pid}/ns/net`, '--', cmd, ...args], { timeout: 20_000 }).toString(),
    async close() {
      // Containers outlive a stopped daemon (live restore), and their shims would keep the namespace: they go first.
      const all = await request(socket, 'GET', '/containers/json?all=1').then((r) => r.json<Array<{ Id: string }>>(), () => []);
      for (const c of all) await request(socket, 'DELETE', `/containers/${c.Id}?force=1`).catch(() => undefined);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
