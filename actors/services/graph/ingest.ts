import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { invalidParameter } from '../../../protocol/errdefs.js';
import type { ApplyDiffOptions, ApplyResult } from '../../../drivers/graph/backend.js';
import type { EngineContext } from '../../context.js';
import type { LayerRecord } from './graphdb.js';
import { sha256 } from './blobs.js';
import { TarSplitStore } from './tar-split-store.js';

/**
 * Applies a layer stream (plain, gzip or zstd) to a created layer tree; the driver hashes the
 * uncompressed bytes (the diffID) and splits them into tar-split records on the way, off the main
 * thread. The records are kept only when the whole layer applied and, if `expectDiffId` is given,
 * hashed to it. Returns the diffID and the content size; `inputDigest` checks the stream as given (a
 * pull's blob digest) and `onApplied` follows how much of it was taken.
 */
export async function applyTracked(ctx: EngineContext, cacheId: string, parentCache: string | null, layer: Readable, opts: { expectDiffId?: string } & Omit<ApplyDiffOptions, 'onRecords'> = {}): Promise<ApplyResult> {
  const { expectDiffId, ...options } = opts;
  const split = await TarSplitStore.at(ctx.config.dataRoot).writer(cacheId);
  try {
    const result = await ctx.call('graphdriver', 'applyDiff', [cacheId, parentCache, layer, { onRecords: split.records, ...options }]);
    const { diffId } = result;
    if (expectDiffId && diffId !== expectDiffId) throw invalidParameter(`layer ${expectDiffId}: content has diffID ${diffId}`);
    await split.commit();
    return result;
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
    const { diffId, size } = await applyTracked(ctx, cacheId, parentCache, input, expectDiffId === undefined ? {} : { expectDiffId });
    return { chainId: parent ? sha256(`${parent.chainId} ${diffId}`) : diffId, diffId, parent: parent?.chainId ?? null, cacheId, size, refs: 0 };
  } catch (err) {
    await ctx.call('graph', 'discardLayers', [[cacheId]]).catch(() => undefined);
    input.destroy();
    throw err;
  }
}
