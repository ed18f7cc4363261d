import { createHash, randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { invalidParameter } from '../../../protocol/errdefs.js';
import { decompressed } from '../../../drivers/graph/decompress.js';
import type { EngineContext } from '../../context.js';
import type { LayerRecord } from './graphdb.js';
import { sha256 } from './blobs.js';

/** A stream that passes bytes through and knows their sha256 and count once it ended. */
export function digestTap(): Transform & { digest(): string; bytes(): number } {
  const hash = createHash('sha256');
  let n = 0;
  // Hashing inside transform() rather than on 'data': a listener would start the flow before the
  // consumer is attached, and the consumer would miss the first chunks.
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      n += chunk.length;
      cb(null, chunk);
    },
  });
  let done: string | undefined;
  return Object.assign(tap, { digest: () => (done ??= `sha256:${hash.digest('hex')}`), bytes: () => n });
}

/**
 * Applies one layer tarball (plain, gzip or zstd) as a new driver layer on top of `parent`, hashing
 * the uncompressed bytes on the way (the diffID), all streaming. The new layer is not in the GraphDB
 * yet: the caller registers it with its image. On any failure the half-applied tree is removed.
 */
export async function ingestLayer(ctx: EngineContext, parent: LayerRecord | null, input: Readable, expectDiffId?: string): Promise<LayerRecord> {
  const cacheId = randomBytes(32).toString('hex');
  const parentCache = parent?.cacheId ?? null;
  await ctx.call('graphdriver', 'create', [cacheId, parentCache]);
  try {
    const plain = await decompressed(input);
    const tap = digestTap();
    plain.on('error', (err) => tap.destroy(err));
    plain.pipe(tap);
    const { size } = await ctx.call('graphdriver', 'applyDiff', [cacheId, parentCache, tap]);
    tap.resume(); // whatever follows the tar's end-of-archive still counts towards the diffID
    await finished(tap);
    const diffId = tap.digest();
    if (expectDiffId && diffId !== expectDiffId) throw invalidParameter(`layer ${expectDiffId}: content has diffID ${diffId}`);
    return { chainId: parent ? sha256(`${parent.chainId} ${diffId}`) : diffId, diffId, parent: parent?.chainId ?? null, cacheId, size, refs: 0 };
  } catch (err) {
    await ctx.call('graphdriver', 'remove', [cacheId]).catch(() => undefined);
    input.destroy();
    throw err;
  }
}
