/**
 * The download phase of a pull: the missing layers, each streamed from the registry into the graph
 * driver, which verifies, decompresses, hashes and extracts it on its apply workers.
 */
import { randomBytes } from 'node:crypto';

import { cancelled, invalidParameter } from '../../protocol/errdefs.js';
import type { Descriptor } from '../../protocol/types/image.js';
import type { EngineContext } from '../context.js';
import { Slots } from '../kernel/slots.js';
import type { LayerRecord } from '../services/graph/graphdb.js';
import { applyTracked } from '../services/graph/ingest.js';
import { algorithmOf } from '../services/registry/blob-stream.js';
import type { ProgressWriter } from './progress.js';
import { type PullPlan, shortDigest } from './pull-steps.js';

/** Downloads at a time, dockerd's default --max-concurrent-downloads. */
export const MAX_CONCURRENT_DOWNLOADS = 3;

/** What every layer download shares. */
interface Fetching {
  ctx: EngineContext;
  plan: PullPlan;
  progress: ProgressWriter;
  slots: Slots;
  signal: AbortSignal;
}

/** The records the missing layers will have, bottom first, each with a fresh tree id. */
function missingLayers(plan: PullPlan): LayerRecord[] {
  const made: LayerRecord[] = [];
  let parent = plan.present.at(-1) ?? null;
  for (let i = plan.present.length; i < plan.layers.length; i++) {
    const cacheId = randomBytes(32).toString('hex');
    parent = { chainId: plan.chain[i]!, diffId: plan.config.rootfs.diff_ids[i]!, parent: parent?.chainId ?? null, cacheId, size: 0, refs: 0 };
    made.push(parent);
  }
  return made;
}

/**
 * Downloads and applies the missing layers, streaming. When the driver's trees start as copies of
 * their parents' (vfs), each layer's tree is made once its parent is applied, one layer after another.
 * Otherwise (overlay) the trees are made one after another while the layers download side by side,
 * up to MAX_CONCURRENT_DOWNLOADS; a layer's bytes go into its tree once the tree is made. A
 * slot is held until the blob's last byte is in, not through the end of its extraction, so the next
 * download starts while the previous layer is still being written. The first failure stops the other
 * downloads; once all have settled, every tree made here is removed.
 */
export async function downloadLayers(ctx: EngineContext, plan: PullPlan, progress: ProgressWriter, signal?: AbortSignal): Promise<LayerRecord[]> {
  plan.present.forEach((_, i) => progress.status('Already exists', shortDigest(plan.layers[i]!.digest)));
  for (const d of plan.layers.slice(plan.present.length)) progress.status('Pulling fs layer', shortDigest(d.digest));
  const made = missingLayers(plan);
  const cacheIds = made.map((l) => l.cacheId);
  await ctx.call('graph', 'beginLayers', [cacheIds]);
  const stop = new AbortController();
  const f: Fetching = { ctx, plan, progress, slots: new Slots(MAX_CONCURRENT_DOWNLOADS), signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal };
  try {
    const driver = await ctx.call('graph', 'driverName', []);
    const create = (k: number) => ctx.call('graphdriver', 'create', [made[k]!.cacheId, parentCacheOf(plan, made, k)]);
    const fetch = (k: number, tree: Promise<unknown>) => fetchLayer(f, plan.layers[plan.present.length + k]!, made[k]!, parentCacheOf(plan, made, k), tree);
    if (driver !== 'overlay') {
      for (let k = 0; k < made.length; k++) await fetch(k, create(k));
    } else {
      let below: Promise<unknown> = Promise.resolve();
      const trees = made.map((_, k) => (below = below.then(() => create(k))));
      await firstFailure(made.map((_, k) => fetch(k, trees[k]!)), stop);
    }
    return made;
  } catch (err) {
    await ctx.call('graph', 'discardLayers', [[...cacheIds].reverse()]).catch(() => undefined);
    throw err;
  }
}

/** The tree id of layer k's parent: the layer below it, or the top present one, or none. */
function parentCacheOf(plan: PullPlan, made: LayerRecord[], k: number): string | null {
  return k === 0 ? (plan.present.at(-1)?.cacheId ?? null) : made[k - 1]!.cacheId;
}

/**
 * Waits for all of `work`; the first failure aborts `stop` (the others' downloads) and is the one
 * thrown, the others being mostly its cancellations.
 */
async function firstFailure(work: Promise<void>[], stop: AbortController): Promise<void> {
  let failure: { err: unknown } | undefined;
  await Promise.all(work.map((p) => p.catch((err: unknown) => {
    failure ??= { err };
    stop.abort();
  })));
  if (failure) throw failure.err;
}

/**
 * One layer: a download slot, then the blob streamed into its tree once `tree` (its making) is done;
 * records its content size. The request goes out before the tree is made: the registry's first
 * bytes are on their way meanwhile.
 */
async function fetchLayer(f: Fetching, d: Descriptor, layer: LayerRecord, parentCache: string | null, tree: Promise<unknown>): Promise<void> {
  const { progress } = f;
  const id = shortDigest(d.digest);
  const release = await f.slots.take();
  try {
    if (f.signal.aborted) throw cancelled(`download of ${d.digest} cancelled`);
    let downloaded = false;
    // The driver hashes the blob where it decompresses it, on its apply worker; a blob that is not the
    // descriptor's fails the apply as the stream would have failed it, and the caller discards the layer.
    const blob = f.plan.repository.blob(d, { signal: f.signal, onBytes: (n) => progress.bytes('Downloading', id, n, d.size), verifyDigest: false });
    blob.read(0); // opens the request; the stream holds what comes until the tree is ready
    await tree.catch((err: unknown) => {
      blob.destroy();
      throw err;
    });
    blob.once('end', () => {
      release();
      progress.status('Verifying Checksum', id);
    });
    const check = (digest: string) => {
      blob.checkDigest(digest);
      downloaded = true;
      progress.status('Download complete', id);
    };
    const onApplied = (n: number) => downloaded && progress.bytes('Extracting', id, n, d.size);
    const { diffId, size } = await applyTracked(f.ctx, layer.cacheId, parentCache, blob, { inputDigest: { algorithm: algorithmOf(d.digest), check }, onApplied });
    if (diffId !== layer.diffId) throw invalidParameter(`layer ${d.digest}: content has diffID ${diffId}, the config says ${layer.diffId}`);
    progress.status('Pull complete', id);
    layer.size = size;
  } finally {
    release();
  }
}
