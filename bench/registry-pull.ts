/**
 * Pull benchmark, registry side: the ~85 MB image of 5 incompressible layers in a real local
 * registry, downloaded by berth's registry client with every layer at once, each hashed
 * (digest + size check) and gunzipped while it streams, nothing kept in memory, all on the main
 * thread (a daemon's pull does the digest and gunzip on its apply workers, with the extraction);
 * prepareBenchRegistry() is exported so that
 * the end-to-end benchmark (`docker pull` against berth and dockerd) loads the same image.
 *
 *     npx tsc -p tsconfig.json && node dist/bench/registry-pull.js [runs=3]
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { cpuSpan, load1, median, type CpuSpan } from './cpu.js';
import { decompressed } from '../drivers/graph/decompress.js';
import { tuneHeapForStreaming } from '../actors/kernel/heap.js';
import { RegistryClient } from '../actors/services/registry/client.js';
import { parseNormalizedNamed } from '../protocol/reference.js';
import { pushImage, randomImage, type TestImage } from '../test/helpers/images.js';
import { startRegistry, type RegistryServer } from '../test/helpers/registry.js';

/** A registry holding the benchmark image as `<host>/bench/random:latest`. */
export interface BenchRegistry {
  registry: RegistryServer;
  /** `127.0.0.1:PORT/bench/random:latest` */
  reference: string;
  image: TestImage;
  /** Sum of the compressed layer sizes. */
  bytes: number;
  stop(): Promise<void>;
}

/** Starts docker-registry and pushes the random image (5 × 17 MiB by default). */
export async function prepareBenchRegistry(opts: { layers?: number; totalBytes?: number } = {}): Promise<BenchRegistry> {
  const registry = await startRegistry();
  try {
    const image = await randomImage(opts);
    await pushImage(registry, 'bench/random', 'latest', image);
    const bytes = image.layers.reduce((n, l) => n + l.size, 0);
    return { registry, reference: `${registry.host}/bench/random:latest`, image, bytes, stop: () => registry.stop() };
  } catch (err) {
    await registry.stop();
    throw err;
  }
}

/** One download of every layer, concurrently, verified and decompressed; returns seconds taken. */
export async function downloadOnce(client: RegistryClient, reference: string, image: TestImage): Promise<number> {
  const started = process.hrtime.bigint();
  const r = await client.resolve(parseNormalizedNamed(reference));
  await Promise.all(
    r.manifest.document.layers.map(async (d, i) => {
      const diff = createHash('sha256');
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          diff.update(chunk);
          cb();
        },
      });
      await pipeline(await decompressed(r.repository.blob(d)), sink); // the gunzip a pull uses
      const diffId = `sha256:${diff.digest('hex')}`;
      if (diffId !== image.layers[i]!.diffId) throw new Error(`layer ${i}: diff_id ${diffId} is not ${image.layers[i]!.diffId}`);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  tuneHeapForStreaming(); // as the engine does at start-up: the client runs inside it
  const bench = await prepareBenchRegistry();
  const mb = bench.bytes / 1e6;
  try {
    const results: number[] = [];
    const spans: CpuSpan[] = [];
    const loadBefore = load1();
    for (let i = 0; i < runs; i++) {
      const client = new RegistryClient(); // a fresh pool each run: connections are part of a pull
      try {
        const end = cpuSpan(bench.registry.pid);
        const s = await downloadOnce(client, bench.reference, bench.image);
        const x = end();
        spans.push(x);
        results.push(mb / s);
        console.log(`run ${i + 1}: ${mb.toFixed(1)} MB in ${s.toFixed(3)} s = ${(mb / s).toFixed(0)} MB/s; CPU client ${(x.selfMs / mb).toFixed(2)} ms/MB (main thread ${(x.mainMs / mb).toFixed(2)}), registry ${(x.otherMs / mb).toFixed(2)} ms/MB`);
      } finally {
        client.close();
      }
    }
    const best = Math.max(...results);
    const cpu = { clientMsPerMB: Number((median(spans.map((x) => x.selfMs)) / mb).toFixed(2)), mainThreadMsPerMB: Number((median(spans.map((x) => x.mainMs)) / mb).toFixed(2)), registryMsPerMB: Number((median(spans.map((x) => x.otherMs)) / mb).toFixed(2)), load: [loadBefore, load1()] };
    console.log(JSON.stringify({ bench: 'registry-pull', layers: bench.image.layers.length, megabytes: Number(mb.toFixed(1)), runs, bestMBps: Math.round(best), medianMBps: Math.round(median(results)), ...cpu }));
  } finally {
    await bench.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
