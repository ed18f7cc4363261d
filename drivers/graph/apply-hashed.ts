/**
 * Applying a layer while reading what only the uncompressed bytes tell: their sha256 (the diffID)
 * and their tar-split records. Both happen where the layer is decompressed and applied (the apply
 * worker, apply-worker.ts), so the daemon's main thread never touches the uncompressed stream.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

import { type ApplyOptions, applyLayer } from './apply.js';
import type { ApplyResult } from './backend.js';
import { decompressed } from './decompress.js';
import { TarSplitter } from './tar-split.js';

/**
 * A stream that passes bytes through and knows their digest (sha256 unless told) and count once it
 * ended; `observe` sees every chunk too (the tar-split recorder).
 */
export function digestTap(observe?: (chunk: Buffer) => void, algorithm = 'sha256'): Transform & { digest(): string; bytes(): number } {
  const hash = createHash(algorithm);
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
  return Object.assign(tap, { digest: () => (done ??= `${algorithm}:${hash.digest('hex')}`), bytes: () => n });
}

/** What applying reports besides the content size: `onRecords` gets the tar-split records in order. */
export interface HashedOptions extends ApplyOptions {
  onRecords?: (records: Buffer) => void;
}

/**
 * Applies an uncompressed layer stream to `root`, hashing it and (with `onRecords`) splitting it into
 * tar-split records on the way. Bytes after the tar's end-of-archive still count towards the diffID.
 */
export async function applyPlainHashed(root: string, plain: Readable, options: HashedOptions): Promise<ApplyResult> {
  const { onRecords } = options;
  const splitter = onRecords && new TarSplitter(onRecords);
  const tap = digestTap(splitter && ((chunk) => splitter.feed(chunk)));
  plain.on('error', (err) => tap.destroy(err));
  // The apply reads the tap and gets its error; once it stopped listening, pipe() would re-throw
  // the error as uncaught (in an apply worker, that ends the worker and every layer on it).
  tap.on('error', () => undefined);
  plain.pipe(tap);
  try {
    const { size } = await applyLayer(root, tap, options);
    tap.resume();
    await finished(tap);
    splitter?.end();
    return { size, diffId: tap.digest() };
  } catch (err) {
    plain.destroy();
    throw err;
  }
}

/** applyPlainHashed for a layer stream that may be gzip or zstd (the magic bytes say). */
export async function applyHashed(root: string, input: Readable, options: HashedOptions): Promise<ApplyResult> {
  return applyPlainHashed(root, await decompressed(input), options);
}
