/**
 * The steps of a load (load.ts is the statechart) once the archive is unpacked: what it holds
 * (Docker's manifest.json, or only an OCI layout's index.json), its layers applied through ingest
 * (which refuses anything escaping the layer and checks each diffID), then images and tags recorded.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { Transform, type Readable, type Writable } from 'node:stream';
import { invalidParameter } from '../../protocol/errdefs.js';
import { familiarString, parseNormalizedNamed, referenceString } from '../../protocol/reference.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../../protocol/types/image.js';
import type { EngineContext } from '../context.js';
import { chainIds, sha256 } from '../services/graph/blobs.js';
import type { ImageRecord, LayerRecord } from '../services/graph/graphdb.js';
import { ingestLayer } from '../services/graph/ingest.js';
import { selectPlatform } from '../services/registry/platform.js';
import { checkConfig } from '../services/registry/validate.js';
import type { Unpacked } from './load-unpack.js';
import type { ProgressWriter } from './progress.js';
import { shortDigest } from './pull-steps.js';

/** One image of the archive: its config and layer files (staged paths) and its tags. */
export interface LoadItem {
  config: string;
  layers: string[];
  /** Normalized tag references. */
  tags: string[];
}

/** An image whose layers are applied, ready to be recorded. */
export interface Loaded {
  image: ImageRecord;
  config: Buffer;
  /** Its layers this load made (the others were in the store). */
  made: LayerRecord[];
  tags: string[];
}

const MAX_JSON = 16 * 1024 * 1024;

async function readJson<T>(u: Unpacked, rel: string): Promise<T> {
  const file = await staged(u, rel);
  if ((await fsp.stat(file)).size > MAX_JSON) throw invalidParameter(`load: ${rel} is too large`);
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8')) as T;
  } catch {
    throw invalidParameter(`load: ${rel} is not valid JSON`);
  }
}

async function staged(u: Unpacked, rel: string): Promise<string> {
  const file = await u.file(rel);
  if (!file) throw invalidParameter(`load: the archive has no file ${rel}`);
  return file;
}

/** A RepoTags entry as a normalized reference; it must be a tag (dockerd: `invalid tag`). */
function tagRef(repoTag: string): string {
  const ref = parseNormalizedNamed(repoTag);
  if (ref.tag === undefined || ref.digest !== undefined) throw invalidParameter(`invalid tag "${repoTag}"`);
  return referenceString(ref);
}

/** What the archive holds: manifest.json's entries, else the images of an OCI layout's index.json. */
export async function readItems(u: Unpacked): Promise<LoadItem[]> {
  if (await u.file('manifest.json')) {
    const doc = await readJson<{ Config: string; RepoTags?: string[] | null; Layers: string[] }[]>(u, 'manifest.json');
    const valid = (m: (typeof doc)[number]) => m && typeof m.Config === 'string' && Array.isArray(m.Layers) && m.Layers.every((l) => typeof l === 'string');
    if (!Array.isArray(doc) || !doc.every(valid)) throw invalidParameter('load: manifest.json is not a list of images with Config and Layers');
    return Promise.all(doc.map(async (m) => ({ config: await staged(u, m.Config), layers: await Promise.all((m.Layers ?? []).map((l) => staged(u, l))), tags: (m.RepoTags ?? []).map(tagRef) })));
  }
  if (await u.file('index.json')) return ociItems(u, await readJson<ImageIndex>(u, 'index.json'));
  throw invalidParameter('load: the archive has neither manifest.json nor index.json; it is not an image archive');
}

const blobRel = (d: Descriptor) => `blobs/${d.digest.replace(':', '/')}`;

/** The images of an OCI layout: every manifest the index names (indexes: this host's platform), tags from annotations. */
async function ociItems(u: Unpacked, index: ImageIndex): Promise<LoadItem[]> {
  const items = new Map<string, LoadItem>();
  for (const top of index.manifests ?? []) {
    let d: Descriptor | undefined = top;
    for (let depth = 0; d && INDEX.has(d.mediaType) && depth < 4; depth++) d = selectPlatform((await readJson<ImageIndex>(u, blobRel(d))).manifests ?? []);
    if (!d) continue;
    const m = await readJson<ImageManifest>(u, blobRel(d));
    const item = items.get(d.digest) ?? { config: await staged(u, blobRel(m.config)), layers: await Promise.all(m.layers.map((l) => staged(u, blobRel(l)))), tags: [] };
    const name = top.annotations?.['io.containerd.image.name'] ?? top.annotations?.['org.opencontainers.image.ref.name'];
    if (name && /[:/]/.test(name)) item.tags.push(tagRef(name));
    items.set(d.digest, item);
  }
  return [...items.values()];
}

const INDEX = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

/** Applies the layers of every item the store lacks; on failure, removes every layer this load made. */
export async function loadLayers(ctx: EngineContext, items: LoadItem[], progress: ProgressWriter): Promise<Loaded[]> {
  const made = new Map<string, LayerRecord>();
  const out: Loaded[] = [];
  try {
    for (const item of items) {
      const config = await fsp.readFile(item.config);
      const id = sha256(config);
      const doc = checkConfig(JSON.parse(config.toString('utf8')) as unknown, `load: image config ${id}`);
      const diffIds = doc.rootfs.diff_ids;
      if (diffIds.length !== item.layers.length) throw invalidParameter(`invalid manifest, layers length mismatch: expected ${diffIds.length}, got ${item.layers.length}`);
      const chain = chainIds(diffIds);
      const mine: LayerRecord[] = [];
      const all: LayerRecord[] = [];
      for (let i = 0; i < chain.length; i++) {
        let l = made.get(chain[i]!) ?? (await ctx.call('graph', 'layer', [chain[i]!]));
        if (!l) {
          l = await ingestLayer(ctx, all.at(-1) ?? null, await counted(item.layers[i]!, diffIds[i]!, progress), diffIds[i]);
          made.set(l.chainId, l);
          mine.push(l);
        }
        all.push(l);
      }
      const size = all.reduce((n, l) => n + l.size, 0);
      out.push({ image: { id, parent: '', chain, size, created: doc.created ?? '', repoDigests: [] }, config, made: mine, tags: item.tags });
    }
    return out;
  } catch (err) {
    await ctx.call('graph', 'discardLayers', [[...made.values()].map((l) => l.cacheId).reverse()]).catch(() => undefined);
    throw err;
  }
}

/** A layer file as a stream, with "Loading layer" progress (none in quiet mode). */
async function counted(file: string, diffId: string, progress: ProgressWriter): Promise<Readable> {
  const total = (await fsp.stat(file)).size;
  let n = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      progress.bytes('Loading layer', shortDigest(diffId), n, total);
      cb(null, chunk);
    },
  });
  const source = createReadStream(file);
  source.on('error', (err) => count.destroy(err));
  return source.pipe(count);
}

/**
 * Records the images and moves their tags, with dockerd's messages (`Loaded image: x:y`, or
 * `Loaded image ID: sha256:…` for an untagged image) and one `image load` event each.
 */
export async function commitLoaded(ctx: EngineContext, loaded: Loaded[], out: Writable | undefined): Promise<void> {
  const say = (text: string) => out && !out.writableEnded && !out.destroyed && out.write(`${JSON.stringify({ stream: `${text}\n` })}\r\n`);
  for (const l of loaded) {
    await ctx.call('graph', 'storeConfig', [l.image.id, l.config]);
    const moved: string[] = [];
    for (const t of l.tags) {
      const before = await ctx.call('graph', 'resolveRef', [t]);
      if (before && before !== l.image.id) moved.push(`The image ${familiarString(parseNormalizedNamed(t))} already exists, renaming the old one with ID ${before} to empty string`);
    }
    await ctx.call('graph', 'commit', [l.image, l.made, l.tags]);
    moved.forEach(say);
    for (const t of l.tags) say(`Loaded image: ${familiarString(parseNormalizedNamed(t))}`);
    if (!l.tags.length) say(`Loaded image ID: ${l.image.id}`);
    ctx.bus.publish('image.load', { id: l.image.id, attributes: { name: l.image.id } });
  }
}
