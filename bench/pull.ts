/**
 * Pull benchmark, end to end: the ~85 MB image of 5 incompressible layers in a local registry,
 * pulled by the real docker CLI (`docker pull`) from berth — download, verify, gunzip, hash and
 * extract into the graph driver, then record — N times, the image removed between runs. Reports
 * MB/s (compressed bytes over wall time of `docker pull`), min and median, with the CPU ms per MB of
 * berth (all its threads) and of its main thread, which keeps only the download: the blob digest,
 * gunzip, the diffID, tar-split and the extraction run on the graph driver's apply workers
 * (drivers/graph/apply-pool.ts); and of the registry (wall time is noisy on a shared machine, CPU
 * time much less); and the same against a dockerd when one is installed (the yardstick:
 * dockerd ~70–120 MB/s, berth's target 250).
 *
 *     npx tsc -p tsconfig.json && node dist/bench/pull.js [runs=5] [driver]
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { startTestDaemon } from '../test/helpers/daemon.js';
import { dockerCliPath } from '../test/helpers/docker-cli.js';
import { cpuSpan, load1, median, type CpuSpan } from './cpu.js';
import { runDocker } from './docker.js';
import { prepareBenchRegistry } from './registry-pull.js';

/** Where a dockerd binary would be (none is installed on the CI machines; say so rather than guess). */
const DOCKERD = ['/usr/bin/dockerd', '/usr/local/bin/dockerd'];

/**
 * Timed pulls of `reference` through the daemon at `host`: wall time, and the CPU time of this
 * process (the in-process daemon) and of the registry (`registryPid`) per run.
 */
export async function timePulls(docker: string, host: string, reference: string, runs: number, registryPid: number): Promise<CpuSpan[]> {
  const env = { DOCKER_HOST: host };
  const spans: CpuSpan[] = [];
  for (let i = 0; i < runs; i++) {
    const end = cpuSpan(registryPid);
    await runDocker(docker, ['pull', '-q', reference], env);
    spans.push(end());
    await runDocker(docker, ['rmi', reference], env);
  }
  return spans;
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
    const loadBefore = load1();
    const spans = await timePulls(docker, `unix://${d.socket}`, bench.reference, runs, bench.registry.pid);
    const mbps = spans.map((x) => mb / x.seconds);
    spans.forEach((x, i) => console.log(`berth run ${i + 1}: ${mb.toFixed(1)} MB in ${x.seconds.toFixed(3)} s = ${mbps[i]!.toFixed(0)} MB/s; CPU berth ${(x.selfMs / mb).toFixed(2)} ms/MB (main thread ${(x.mainMs / mb).toFixed(2)}), registry ${(x.otherMs / mb).toFixed(2)} ms/MB`));
    const s = summary(mbps);
    const cpu = { berthMsPerMB: Number((median(spans.map((x) => x.selfMs)) / mb).toFixed(2)), mainThreadMsPerMB: Number((median(spans.map((x) => x.mainMs)) / mb).toFixed(2)), registryMsPerMB: Number((median(spans.map((x) => x.otherMs)) / mb).toFixed(2)), load: [loadBefore, load1()] };
    console.log(`berth (${used}): min ${s.min.toFixed(0)} MB/s, median ${s.median.toFixed(0)} MB/s, max ${s.max.toFixed(0)} MB/s; median CPU ms/MB berth ${cpu.berthMsPerMB} (main thread ${cpu.mainThreadMsPerMB}), registry ${cpu.registryMsPerMB}; load ${cpu.load.join(' -> ')}`);
    const dockerd = DOCKERD.find((p) => existsSync(p));
    console.log(dockerd ? `dockerd found at ${dockerd}: start it on its own data root and run timePulls against it to compare` : 'dockerd: not installed on this machine, no comparison (the issue quotes ~70-120 MB/s for dockerd here)');
    console.log(JSON.stringify({ bench: 'pull', driver: used, layers: bench.image.layers.length, megabytes: Number(mb.toFixed(1)), runs, minMBps: Math.round(s.min), medianMBps: Math.round(s.median), maxMBps: Math.round(s.max), ...cpu }));
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
