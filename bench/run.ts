/**
 * Container start benchmark (issue 5): p50 / p90 of `docker run --rm busybox true` through the real
 * docker CLI against berth, and of create + start + wait + remove through the API alone (no CLI
 * process), on the native runtime, the daemon in a process of its own (daemon.ts) and each docker
 * run spawned with posix_spawn (the addon's spawnCollect), so that neither the client's event loop
 * nor its forks are counted. A benchmark, not a test: it prints numbers and judges nothing.
 *
 *     npm run build && node dist/bench/run.js [runs=30]
 */
import { createContainer } from '../test/helpers/containers.js';
import { dockerCliPath } from '../test/helpers/docker-cli.js';
import { startBenchDaemon, type BenchDaemon } from './daemon.js';
import { runDocker } from './docker.js';

/** The p-th percentile of sorted samples. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function report(name: string, ms: number[]): void {
  const s = [...ms].sort((a, b) => a - b);
  console.log(`${name.padEnd(44)} n=${s.length}  p50=${percentile(s, 50).toFixed(1)} ms  p90=${percentile(s, 90).toFixed(1)} ms  min=${s[0]!.toFixed(1)} ms`);
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function apiRun(d: BenchDaemon): Promise<void> {
  const id = await createContainer(d, { Cmd: ['true'] });
  await d.request('POST', `/containers/${id}/start`);
  await d.request('POST', `/containers/${id}/wait`);
  await d.request('DELETE', `/containers/${id}`);
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 30);
  const d = await startBenchDaemon();
  try {
    for (let i = 0; i < 3; i++) await apiRun(d); // warm up: page cache, JIT
    const api: number[] = [];
    for (let i = 0; i < runs; i++) api.push(await timeIt(() => apiRun(d)));
    report('API create+start+wait+rm (busybox true)', api);
    const cli = dockerCliPath();
    if (!cli) return console.log('docker CLI not found: the CLI run is skipped');
    const env = { DOCKER_HOST: `unix://${d.socket}`, DOCKER_CONFIG: d.dir };
    const run = () => runDocker(cli, ['run', '--rm', 'busybox', 'true'], env);
    for (let i = 0; i < 3; i++) await run();
    const docker: number[] = [];
    for (let i = 0; i < runs; i++) docker.push(await timeIt(run));
    report('docker run --rm busybox true (real CLI)', docker);
    console.log('dockerd is not installed here: its figure (about 300 ms on these machines) is not measured.');
  } finally {
    await d.close();
  }
}

await main();
