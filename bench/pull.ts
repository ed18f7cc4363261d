/**
 * Pull benchmark, end to end: the ~85 MB image of 5 incompressible layers in a local registry,
 * pulled by the real docker CLI (`docker pull`) from berth — download, verify, gunzip, hash and
 * extract into the graph driver, then record — N times, the image removed between runs. Reports
 * MB/s (compressed bytes over wall time of `docker pull`), min and median; and the same against a
 * dockerd when one is installed (the yardstick: dockerd ~70–120 MB/s, berth's target 250).
 *
 *     npx tsc -p tsconfig.json && node dist/bench/pull.js [runs=5] [driver]
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startTestDaemon } from '../test/helpers/daemon.js';
import { dockerCliPath } from '../test/helpers/docker-cli.js';
import { prepareBenchRegistry } from './registry-pull.js';

const run = promisify(execFile);

/** Where a dockerd binary would be (none is installed on the CI machines; say so rather than guess). */
const DOCKERD = ['/usr/bin/dockerd', '/usr/local/bin/dockerd'];

/** Timed pulls of `reference` through the daemon at `host`; returns seconds per run. */
export async function timePulls(docker: string, host: string, reference: string, runs: number): Promise<number[]> {
  const env = { ...process.env, DOCKER_HOST: host };
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await run(docker, ['pull', '-q', reference], { env });
    seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
    await run(docker, ['rmi', reference], { env });
  }
  return seconds;
}

/** min and median of MB/s values. */
function summary(mbps: number[]): { min: number; median: number; max: number } {
  const sorted = [...mbps].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const driver = process.argv[3];
  const docker = dockerCliPath();
  if (!docker) throw new Error('bench/pull needs the docker CLI');
  const bench = await prepareBenchRegistry();
  const d = await startTestDaemon(driver ? { storageDriver: driver } : {});
  try {
    const mb = bench.bytes / 1e6;
    const { driver: used } = await d.request('GET', '/info').then((r) => ({ driver: r.json<{ Driver: string }>().Driver }));
    const seconds = await timePulls(docker, `unix://${d.socket}`, bench.reference, runs);
    const mbps = seconds.map((s) => mb / s);
    mbps.forEach((v, i) => console.log(`berth run ${i + 1}: ${mb.toFixed(1)} MB in ${seconds[i]!.toFixed(3)} s = ${v.toFixed(0)} MB/s`));
    const s = summary(mbps);
    console.log(`berth (${used}): min ${s.min.toFixed(0)} MB/s, median ${s.median.toFixed(0)} MB/s, max ${s.max.toFixed(0)} MB/s`);
    const dockerd = DOCKERD.find((p) => existsSync(p));
    console.log(dockerd ? `dockerd found at ${dockerd}: start it on its own data root and run timePulls against it to compare` : 'dockerd: not installed on this machine, no comparison (the issue quotes ~70-120 MB/s for dockerd here)');
    console.log(JSON.stringify({ bench: 'pull', driver: used, layers: bench.image.layers.length, megabytes: Number(mb.toFixed(1)), runs, minMBps: Math.round(s.min), medianMBps: Math.round(s.median), maxMBps: Math.round(s.max) }));
  } finally {
    await d.close();
    await bench.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
