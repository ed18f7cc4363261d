import { invalidParameter } from '../../protocol/errdefs.js';
import { familiarString, referenceString, withDefaultTag, type Reference } from '../../protocol/reference.js';
import type { AuthConfig, Descriptor, ImageConfigFile, Platform } from '../../protocol/types/image.js';
import type { EngineContext } from '../context.js';
import { chainIds } from '../services/graph/blobs.js';
import type { ImageRecord, LayerRecord } from '../services/graph/graphdb.js';
import { applyTracked } from '../services/graph/ingest.js';
import type { Repository } from '../services/registry/client.js';
import { algorithmOf } from '../services/registry/blob-stream.js';
import type { ProgressWriter } from './progress.js';
import { randomBytes } from 'node:crypto';

/** What the pull found out before downloading: the image, and which of its layers are missing. */
export interface PullPlan {
  ref: Reference;
  repository: Repository;
  /** The manifest digest the reference resolved to (the index's for a multi-platform image). */
  digest: string;
  layers: Descriptor[];
  configBytes: Buffer;
  config: ImageConfigFile;
  imageId: string;
  chain: string[];
  /** Layers already in the store, bottom first, up to the first missing one. */
  present: LayerRecord[];
}

/** Short layer id as the docker CLI shows it. */
export const shortDigest = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

/** Resolves the reference and reads the config: everything the download needs, nothing written yet. */
export async function planPull(ctx: EngineContext, ref: Reference, opts: { auth?: AuthConfig; platform?: Platform; signal?: AbortSignal }, progress: ProgressWriter): Promise<PullPlan> {
  progress.status(`Pulling from ${ref.path}`, ref.digest ?? withDefaultTag(ref).tag);
  const { repository, digest, manifest } = await ctx.call('registry', 'resolve', [ref, opts]);
  const { bytes, config } = await repository.config(manifest.document.config, { signal: opts.signal });
  const layers = manifest.document.layers;
  if (config.rootfs.diff_ids.length !== layers.length) {
    throw invalidParameter(`image ${familiarString(ref)}: ${layers.length} layers in the manifest, ${config.rootfs.diff_ids.length} in the config`);
  }
  const chain = chainIds(config.rootfs.diff_ids);
  const present: LayerRecord[] = [];
  for (const c of chain) {
    const l = await ctx.call('graph', 'layer', [c]);
    if (!l) break;
    present.push(l);
  }
  return { ref, repository, digest, layers, configBytes: bytes, config, imageId: manifest.document.config.digest, chain, present };
}

/** Runs `fn` over `items` with at most `limit` at a time, failing fast. */
async function bounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/**
 * Downloads and applies the missing layers, streaming: the registry client checks the size, the
 * driver hashes (the blob digest and the diffID), decompresses and applies on its worker threads.
 * Layer trees are created bottom-up first; when the driver's diffs do not depend on their parents'
 * content (overlay) the layers then download and extract three at a time, else one after another.
 * On failure every tree made here is removed.
 */
export async function downloadLayers(ctx: EngineContext, plan: PullPlan, progress: ProgressWriter, signal?: AbortSignal): Promise<LayerRecord[]> {
  plan.present.forEach((_, i) => progress.status('Already exists', shortDigest(plan.layers[i]!.digest)));
  const first = plan.present.length;
  for (const d of plan.layers.slice(first)) progress.status('Pulling fs layer', shortDigest(d.digest));
  const made: LayerRecord[] = [];
  const cacheIds = plan.layers.slice(first).map(() => randomBytes(32).toString('hex'));
  await ctx.call('graph', 'beginLayers', [cacheIds]);
  try {
    let parent = plan.present.at(-1) ?? null;
    for (let i = first; i < plan.layers.length; i++) {
      const cacheId = cacheIds[i - first]!;
      await ctx.call('graphdriver', 'create', [cacheId, parent?.cacheId ?? null]);
      parent = { chainId: plan.chain[i]!, diffId: plan.config.rootfs.diff_ids[i]!, parent: parent?.chainId ?? null, cacheId, size: 0, refs: 0 };
      made.push(parent);
    }
    const { driver } = await ctx.call('graph', 'info', []);
    const below = (k: number) => (k === 0 ? (plan.present.at(-1)?.cacheId ?? null) : made[k - 1]!.cacheId);
    await bounded(made.map((layer, k) => ({ layer, k })), driver === 'overlay' ? 3 : 1, async ({ layer, k }) => {
      layer.size = await fetchLayer(ctx, plan.repository, plan.layers[first + k]!, layer, below(k), progress, signal);
    });
    return made;
  } catch (err) {
    await ctx.call('graph', 'discardLayers', [[...cacheIds].reverse()]).catch(() => undefined);
    throw err;
  }
}

async function fetchLayer(ctx: EngineContext, repo: Repository, d: Descriptor, layer: LayerRecord, parentCache: string | null, progress: ProgressWriter, signal?: AbortSignal): Promise<number> {
  const id = shortDigest(d.digest);
  // The driver hashes the blob where it decompresses it, on its apply worker; a blob that is not the
  // descriptor's fails the apply as the stream would have failed it, and the caller discards the layer.
  const blob = repo.blob(d, { signal, onBytes: (n) => progress.bytes('Downloading', id, n, d.size), verifyDigest: false });
  const inputDigest = { algorithm: algorithmOf(d.digest), check: (digest: string) => blob.checkDigest(digest) };
  const { diffId, size } = await applyTracked(ctx, layer.cacheId, parentCache, blob, { inputDigest });
  if (diffId !== layer.diffId) throw invalidParameter(`layer ${d.digest}: content has diffID ${diffId}, the config says ${layer.diffId}`);
  progress.status('Download complete', id);
  progress.status('Pull complete', id);
  return size;
}

/** Records the pulled image and moves the reference to it. Returns whether the reference moved. */
export async function commitPull(ctx: EngineContext, plan: PullPlan, made: LayerRecord[]): Promise<boolean> {
  const ref = referenceString(withDefaultTag(plan.ref));
  const before = plan.ref.digest ? undefined : await ctx.call('graph', 'resolveRef', [ref]);
  await ctx.call('graph', 'storeConfig', [plan.imageId, plan.configBytes]);
  const size = [...plan.present, ...made].reduce((n, l) => n + l.size, 0);
  const repoDigest = `${plan.ref.domain}/${plan.ref.path}@${plan.digest}`;
  const image: ImageRecord = { id: plan.imageId, parent: '', chain: plan.chain, size, created: plan.config.created ?? '', repoDigests: [repoDigest] };
  await ctx.call('graph', 'commit', [image, made, [ref]]);
  // Distribution metadata: a later push finds these blobs in this registry instead of uploading them.
  const repository = `${plan.ref.domain}/${plan.ref.path}`;
  const sources = plan.layers.map((d, i) => ({ diffId: plan.config.rootfs.diff_ids[i]!, digest: d.digest, size: d.size, mediaType: d.mediaType, repository }));
  await ctx.call('graph', 'recordBlobSources', [sources]);
  return before !== plan.imageId;
}
