import { invalidParameter } from '../../protocol/errdefs.js';
import { familiarString, referenceString, withDefaultTag, type Reference } from '../../protocol/reference.js';
import type { AuthConfig, Descriptor, ImageConfigFile, Platform } from '../../protocol/types/image.js';
import type { EngineContext } from '../context.js';
import { chainIds } from '../services/graph/blobs.js';
import type { ImageRecord, LayerRecord } from '../services/graph/graphdb.js';
import type { Repository } from '../services/registry/client.js';
import type { ProgressWriter } from './progress.js';

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
