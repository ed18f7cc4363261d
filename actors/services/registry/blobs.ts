/**
 * Blob download as a stream that is verified while it flows: the byte count may never pass the
 * descriptor's size, and at the end count and digest must both match, else the stream errors
 * instead of ending. A consumer writing to a temporary file therefore knows to discard it: it
 * keeps the file only on 'end'/'finish'. A dropped connection is resumed with `Range` a few times.
 * (The stream itself is in blob-stream.ts.)
 */
import type { Readable } from 'node:stream';
import { system } from '../../../protocol/errdefs.js';
import type { Descriptor } from '../../../protocol/types/image.js';
import { BlobStream, blobPath, type BlobFetchOptions } from './blob-stream.js';
import { responseError } from './errors.js';
import type { Transport } from './transport.js';

export { blobPath, BlobStream, type BlobFetchOptions } from './blob-stream.js';

/**
 * Downloads a blob, verified (see the module comment). The stream emits exactly the blob's bytes
 * once each, also across resumed connections.
 */
export function fetchBlob(t: Transport, name: string, desc: Descriptor, opts: BlobFetchOptions = {}): Readable {
  return new BlobStream(async () => t, name, desc, opts);
}

/** Downloads a small blob (an image config) into memory, verified; refuses blobs above `max` bytes. */
export async function fetchBlobBytes(t: Transport, name: string, desc: Descriptor, opts: BlobFetchOptions & { max?: number } = {}): Promise<Buffer> {
  const max = opts.max ?? 16 * 1024 * 1024;
  if (desc.size > max) throw system(`blob ${desc.digest} is ${desc.size} bytes, more than the ${max} allowed here`);
  const parts: Buffer[] = [];
  for await (const c of fetchBlob(t, name, desc, opts) as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}

/** HEAD a blob: its size when the repository has it, undefined on 404. */
export async function statBlob(t: Transport, name: string, digest: string, signal?: AbortSignal): Promise<number | undefined> {
  const res = await t.request({ method: 'HEAD', url: blobPath(name, digest), signal });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw responseError(`checking blob ${digest} in ${t.endpoint.registry}/${name}`, res.status);
  return Number(res.headers['content-length'] ?? 0);
}
