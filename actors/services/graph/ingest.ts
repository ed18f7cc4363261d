import { createHash, randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { invalidParameter } from '../../../protocol/errdefs.js';
import { decompressed } from '../../../drivers/graph/decompress.js';
import type { EngineContext } from '../../context.js';
import type { LayerRecord } from './graphdb.js';
import { sha256 } from './blobs.js';
import { TarSplitStore } from './tar-split-store.js';

/**
 * A stream that passes bytes through and knows their sha256 and count once it ended; `observe` sees
 * every chunk too (the tar-split recorder).
 */
export function digestTap(observe?: (chunk: Buffer) => void): Transform & { digest(): string; bytes(): number } {
  const hash = createHash('sha256');
  let n = 0;
  // Hashing inside transform() rather than on 'data': a listener would start the flow before the
  // consumer is attached, and the consumer would miss the first chunks.
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      observe?.(chunk);
      n += chunk.length;
      cb(null, chunk);
    },
  });
  let done: string | undefined;
  return Object.assign(tap, { digest: () => (done ??= `sha256:${hash.digest('hex')}`), bytes: () => n });
}

/**
 * Applies an uncompressed layer stream to a created layer tree, hashing it (the diffID) and recording
 * its tar-split records on the way; the records are kept only when the whole layer applied and, if
 * `expectDiffId` is given, hashed to it. Returns the diffID and the content size.
 */
export async function applyTracked(ctx: EngineContext, cacheId: string, parentCache: string | null, plain: Readable, expectDiffId?: string): Promise<{ diffId: string; size: number }> {
  const split = await TarSplitStore.at(ctx.config.dataRoot).writer(cacheId);
  try {
    const tap = digestTap(split.feed);
    plain.on('error', (err) => tap.destroy(err));
    plain.pipe(tap);
    const { size } = await ctx.call('graphdriver', 'applyDiff', [cacheId, parentCache, tap]);
    tap.resume(); // whatever follows the tar's end-of-archive still counts towards the diffID
    await finished(tap);
    const diffId = tap.digest();
    if (expectDiffId && diffId !== expectDiffId) throw invalidParameter(`layer ${expectDiffId}: content has diffID ${diffId}`);
    await split.commit();
    return { diffId, size };
  } catch (err) {
    await split.abort();
    throw err;
  }
}

/**
 * Applies one layer tarball (plain, gzip or zstd) as a new driver layer on top of `parent`, hashing
 * the uncompressed bytes on the way (the diffID), all streaming. The new layer is not in the GraphDB
 * yet: the caller registers it with its image (its tree is journaled until then). On any failure the
 * half-applied tree is removed.
 */
export async function ingestLayer(ctx: EngineContext, parent: LayerRecord | null, input: Readable, expectDiffId?: string): Promise<LayerRecord> {
  const cacheId = randomBytes(32).toString('hex');
  const parentCache = parent?.cacheId ?? null;
  await ctx.call('graph', 'beginLayers', [[cacheId]]);
  try {
    await ctx.call('graphdriver', 'create', [cacheId, parentCache]);
    const { diffId, size } = await applyTracked(ctx, cacheId, parentCache, await decompressed(input), expectDiffId);
    return { chainId: parent ? sha256(`${parent.chainId} ${diffId}`) : diffId, diffId, parent: parent?.chainId ?? null, cacheId, size, refs: 0 };
  } catch (err) {
    await ctx.call('graph', 'discardLayers', [[cacheId]]).catch(() => undefined);
    input.destroy();
    throw err;
  }
}
