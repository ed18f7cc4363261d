/**
 * The daemon of the start benchmarks, in a process of its own as dockerd is: a client in the
 * daemon's process would share its event loop, and each `docker` it runs would fork the daemon's
 * whole memory on that loop (~8 ms), counted as the daemon's time. `node dist/bench/daemon.js
 * serve` starts a test daemon with busybox imported and prints `{"socket","dir"}`; SIGTERM stops it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { request, startTestDaemon, type TestDaemon } from '../test/helpers/daemon.js';
import { importBusybox } from '../test/helpers/containers.js';

/** What a benchmark needs of the daemon. */
export type BenchDaemon = Pick<TestDaemon, 'socket' | 'dir' | 'request' | 'close'>;

/** Starts the daemon process and waits until it serves, busybox imported. */
export async function startBenchDaemon(): Promise<BenchDaemon> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => { throw new Error('the bench daemon exited'); })])) as [string];
  const { socket, dir } = JSON.parse(first) as { socket: string; dir: string };
  return {
    socket, dir,
    request: (m, p, o) => request(socket, m, p, o),
    async close() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function serve(): Promise<void> {
  const d = await startTestDaemon();
  await importBusybox(d);
  process.once('SIGTERM', () => void d.close().then(() => process.exit(0)));
  console.log(JSON.stringify({ socket: d.socket, dir: d.dir }));
}

if (process.argv[2] === 'serve') await serve();
