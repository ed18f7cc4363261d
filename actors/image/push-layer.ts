/**
 * One layer of a push, the cheapest way the registry allows, as dockerd decides it from what it knows
 * of the layer's blobs (distribution metadata, recorded at pull and push): a blob of the layer the
 * target repository is known to hold is checked with HEAD ("Layer already exists"); one another
 * repository of the same registry holds is mounted ("Mounted from x"); else the layer's exact tar is
 * gzip-compressed while it uploads ("Pushing" … "Pushed"). Whatever happened is recorded, so the
 * next push of the layer to this repository is a HEAD.
 */
import { pipeline, PassThrough, Transform } from 'node:stream';
import { createGzip } from 'node:zlib';
import { MediaType, type Descriptor } from '../../protocol/types/image.js';
import type { EngineContext } from '../context.js';
import type { BlobSource, LayerRecord } from '../services/graph/graphdb.js';
import { openLayerTar, type LayerTar } from '../services/graph/layer-tar.js';
import type { Repository } from '../services/registry/client.js';
import type { ProgressWriter } from './progress.js';
import { shortDigest } from './pull-steps.js';

/** Where a layer goes: the repository handle and its full name (`127.0.0.1:5000/team/app`). */
export interface LayerPushTarget {
  repository: Repository;
  name: string;
  progress: ProgressWriter;
  signal?: AbortSignal;
}

/** Schema 2's layer media type for a blob of any known layer media type (the bytes are the same). */
export function schema2LayerType(mediaType: string): string {
  if (mediaType.endsWith('+zstd') || mediaType.endsWith('.zstd')) return MediaType.DockerLayerZstd;
  if (mediaType === MediaType.OciLayer || mediaType === MediaType.DockerLayer) return MediaType.DockerLayer;
  return MediaType.DockerLayerGzip;
}

const registryOf = (name: string) => name.slice(0, name.indexOf('/'));

/** Pushes one layer; returns its descriptor for the manifest. */
export async function pushLayer(ctx: EngineContext, to: LayerPushTarget, layer: LayerRecord): Promise<Descriptor> {
  const sources = await ctx.call('graph', 'blobSources', [layer.diffId]);
  const found = (await alreadyThere(to, sources, layer)) ?? (await mounted(to, sources, layer)) ?? (await uploaded(ctx, to, layer));
  await ctx.call('graph', 'recordBlobSources', [[{ ...found, diffId: layer.diffId, repository: to.name }]]);
  return { mediaType: schema2LayerType(found.mediaType), digest: found.digest, size: found.size };
}

type Found = Pick<BlobSource, 'digest' | 'size' | 'mediaType'>;

async function alreadyThere(to: LayerPushTarget, sources: BlobSource[], layer: LayerRecord): Promise<Found | undefined> {
  for (const s of sources.filter((x) => x.repository === to.name)) {
    const size = await to.repository.statBlob(s.digest, to.signal);
    if (size === undefined) continue; // deleted from the registry since
    to.progress.status('Layer already exists', shortDigest(layer.diffId));
    return { digest: s.digest, size, mediaType: s.mediaType };
  }
  return undefined;
}

async function mounted(to: LayerPushTarget, sources: BlobSource[], layer: LayerRecord): Promise<Found | undefined> {
  const registry = registryOf(to.name);
  for (const s of sources.filter((x) => x.repository !== to.name && registryOf(x.repository) === registry)) {
    const from = s.repository.slice(registry.length + 1);
    if (!(await to.repository.mountBlob(s.digest, from, to.signal))) continue;
    to.progress.status(`Mounted from ${from}`, shortDigest(layer.diffId));
    return s;
  }
  return undefined;
}

async function uploaded(ctx: EngineContext, to: LayerPushTarget, layer: LayerRecord): Promise<Found> {
  const id = shortDigest(layer.diffId);
  const first = await openLayerTar(ctx, layer);
  let unused: LayerTar | undefined = first;
  // The request may be sent again after an auth challenge: each attempt gets a fresh stream.
  const open = () => {
    const out = new PassThrough();
    const tar = unused ? Promise.resolve(unused) : openLayerTar(ctx, layer);
    unused = undefined;
    tar.then(
      ({ stream }) => pipeline(stream, counter((n) => to.progress.bytes('Pushing', id, n, first.size)), createGzip(), out, () => undefined),
      (err: Error) => out.destroy(err),
    );
    return out;
  };
  const blob = await to.repository.pushBlobStream(open, to.signal).finally(() => unused?.stream.destroy());
  to.progress.status('Pushed', id);
  return { ...blob, mediaType: MediaType.DockerLayerGzip };
}

/** Counts bytes going by, for progress. */
function counter(onBytes: (n: number) => void): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      onBytes(n);
      cb(null, chunk);
    },
  });
}
