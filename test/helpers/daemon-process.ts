import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from './daemon.js';
import { testNetwork } from './test-network.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A `berth daemon` run as its own process (so a test can kill -9 it), on a test directory. */
export interface DaemonProcess {
  child: ChildProcess;
  socket: string;
  log: () => string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | null>;
}

/**
 * Starts `node cli/bin/berth.js daemon` on `dir` and waits until /_ping answers. Unless `extra`
 * names them, the daemon gets a default bridge and subnet of its own (testNetwork).
 */
export async function spawnDaemon(dir: string, extra: string[] = []): Promise<DaemonProcess> {
  const socket = path.join(dir, 'berth.sock');
  const own = testNetwork(dir);
  const net = [...(extra.some((a) => /^(-b|--bridge)(=|$)/.test(a)) ? [] : ['--bridge', own.bridge]), ...(extra.some((a) => /^--bip(=|$)/.test(a)) ? [] : ['--bip', own.bip])];
  const args = [path.join(ROOT, 'cli/bin/berth.js'), 'daemon', '-H', `unix://${socket}`, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), ...net, ...extra];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`daemon exited: ${out}`);
    const ok = await request(socket, 'GET', '/_ping').then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child, socket, log: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
