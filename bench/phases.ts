/**
 * Where a container start spends its time: the API calls of `docker run --rm busybox true`, each timed
 * alone (create, attach-less start, wait, delete), p50 over N runs, against a daemon in its own
 * process (daemon.ts). A benchmark, not a test.
 *
 *     npm run build && node dist/bench/phases.js [runs=30]
 */
import { createContainer } from '../test/helpers/containers.js';
import { startBenchDaemon, type BenchDaemon } from './daemon.js';

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function one(d: BenchDaemon, into: Record<string, number[]>): Promise<void> {
  const mark = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = now();
    const v = await fn();
    (into[name] ??= []).push(now() - t0);
    return v;
  };
  const id = await mark('create', () => createContainer(d, { Cmd: ['true'] }));
  await mark('start', () => d.request('POST', `/containers/${id}/start`));
  await mark('wait', () => d.request('POST', `/containers/${id}/wait`));
  await mark('delete', () => d.request('DELETE', `/containers/${id}`));
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 30);
  const d = await startBenchDaemon();
  try {
    const warm: Record<string, number[]> = {};
    for (let i = 0; i < 3; i++) await one(d, warm);
    const t: Record<string, number[]> = {};
    for (let i = 0; i < runs; i++) await one(d, t);
    for (const [k, v] of Object.entries(t)) {
      const s = v.sort((a, b) => a - b);
      console.log(`${k.padEnd(8)} p50=${s[Math.floor(s.length / 2)]!.toFixed(1)} ms  p90=${s[Math.floor(s.length * 0.9)]!.toFixed(1)} ms`);
    }
  } finally {
    await d.close();
  }
}

await main();
