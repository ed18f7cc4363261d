/**
 * A stored layer as the exact tar it was applied from (for save and push): its tar-split records
 * assembled with the file contents of its tree. The assembled bytes are hashed on the way and must
 * hash to the layer's diffID, else the stream errors instead of ending, so that nothing which is
 * not the layer is ever saved or pushed as it.
 */
import { createHash } from 'node:crypto';
import { constants as C, promises as fsp } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { notImplemented, system } from '../../../protocol/errdefs.js';
import { lstatInside } from '../../../drivers/graph/paths.js';
import type { EngineContext } from '../../context.js';
import type { LayerRecord } from './graphdb.js';
import { TarSplitStore, type SplitRecord } from './tar-split-store.js';

/** An assembled layer: its uncompressed tar and that tar's size in bytes. */
export interface LayerTar {
  stream: Readable;
  size: number;
}

/** The bytes of one file of the tree, which must still be the regular file of `size` bytes it was. */
async function* fileBytes(root: string, rel: string, size: number, what: string): AsyncGenerator<Buffer> {
  const st = await lstatInside(root, rel.split('/'), rel).catch(() => null);
  if (!st?.isFile() || st.size !== size) throw system(`${what}: ${rel} is no longer the ${size}-byte file the layer had`);
  const handle = await fsp.open(path.join(root, rel), C.O_RDONLY | C.O_NOFOLLOW);
  const content = handle.createReadStream(); // closes the handle
  let n = 0;
  try {
    for await (const chunk of content as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (n > size) break;
      yield chunk;
    }
  } finally {
    content.destroy();
  }
  if (n !== size) throw system(`${what}: ${rel} changed size while being read`);
}

/** Assembles records with the files under `root`; checks the result against `diffId`. */
export async function* assemble(records: AsyncIterable<SplitRecord>, root: string, diffId: string, what: string): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  for await (const r of records) {
    if (r.type === 'raw') {
      hash.update(r.bytes);
      yield r.bytes;
      continue;
    }
    for await (const chunk of fileBytes(root, r.path, r.size, what)) {
      hash.update(chunk);
      yield chunk;
    }
  }
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== diffId) throw system(`${what}: the assembled tar has digest ${got}, not its diffID ${diffId}`);
}

/**
 * Opens a stored layer as its tar. The layer tree is held (driver get) from the first read until the
 * stream ends or is destroyed. NotImplemented for a layer stored without records (by a berth before they were kept).
 */
export async function openLayerTar(ctx: EngineContext, layer: LayerRecord): Promise<LayerTar> {
  const store = TarSplitStore.at(ctx.config.dataRoot);
  const what = `layer ${layer.diffId}`;
  if (!(await store.has(layer.cacheId))) throw notImplemented(`${what}: its tar layout was not recorded when it was stored, so it cannot be exported exactly; pull or load it again`);
  const size = await store.size(layer.cacheId);
  // The tree is taken on the first read, so that a stream destroyed unread holds nothing.
  const gen = async function* () {
    const root = await ctx.call('graphdriver', 'get', [layer.cacheId]);
    try {
      yield* assemble(store.records(layer.cacheId), root, layer.diffId, what);
    } finally {
      await ctx.call('graphdriver', 'put', [layer.cacheId]).catch(() => undefined);
    }
  };
  return { stream: Readable.from(gen(), { objectMode: false }), size };
}
