/**
 * Blob download as a stream that is verified while it flows: the byte count may never pass the
 * descriptor's size, and at the end count and digest must both match, else the stream errors
 * instead of ending. A consumer writing to a temporary file therefore knows to discard it: it
 * keeps the file only on 'end'/'finish'. A dropped connection is resumed with `Range` a few times.
 */
import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError, cancelled, notFound, system, unavailable } from '../../../protocol/errdefs.js';
import type { Descriptor } from '../../../protocol/types/image.js';
import { responseError } from './errors.js';
import type { StreamResponse, Transport } from './transport.js';

/** Tuning of fetchBlob. */
export interface BlobFetchOptions {
  signal?: AbortSignal;
  /** Consecutive failed attempts (without progress) before giving up. Default 5. */
  retries?: number;
  /** First pause between attempts, doubled each time. Default 250 ms. */
  retryDelayMs?: number;
}

/** Running size and digest check of one blob. */
class BlobCheck {
  received = 0;
  private readonly hash: Hash;
  private readonly algorithm: string;

  constructor(
    readonly desc: Descriptor,
    readonly where: string,
  ) {
    this.algorithm = desc.digest.slice(0, desc.digest.indexOf(':'));
    this.hash = createHash(this.algorithm);
  }

  get complete(): boolean {
    return this.received >= this.desc.size;
  }

  /** Counts and hashes a chunk, refusing any byte beyond the announced size. */
  take(chunk: Buffer): void {
    if (this.received + chunk.length > this.desc.size) {
      throw system(`filesystem layer verification failed for digest ${this.desc.digest} (${this.where}): more than the ${this.desc.size} bytes the manifest announces`);
    }
    this.hash.update(chunk);
    this.received += chunk.length;
  }

  /** Throws unless the whole blob arrived with the right digest. */
  verify(): void {
    const actual = `${this.algorithm}:${this.hash.digest('hex')}`;
    if (actual !== this.desc.digest) {
      throw system(`filesystem layer verification failed for digest ${this.desc.digest} (${this.where}): the content has digest ${actual}`);
    }
  }
}

/** Path of a blob in a repository. */
export function blobPath(name: string, digest: string): string {
  return `/v2/${name}/blobs/${digest}`;
}

/**
 * Downloads a blob, verified (see the module comment). The stream emits exactly the blob's bytes
 * once each, also across resumed connections.
 */
export function fetchBlob(t: Transport, name: string, desc: Descriptor, opts: BlobFetchOptions = {}): Readable {
  return Readable.from(blobChunks(t, name, desc, opts), { objectMode: false, highWaterMark: 1 << 20 });
}

/** The generator behind fetchBlob, for callers that wrap it in their own stream. */
export async function* blobChunks(t: Transport, name: string, desc: Descriptor, opts: BlobFetchOptions): AsyncGenerator<Buffer> {
  const check = new BlobCheck(desc, `${t.endpoint.registry}/${name}`);
  const retries = opts.retries ?? 5;
  let delay = opts.retryDelayMs ?? 250;
  let failures = 0;
  while (!check.complete) {
    const before = check.received;
    let res: StreamResponse | undefined;
    try {
      res = await openAt(t, name, check, opts.signal);
      let skip = res.status === 200 ? check.received : 0;
      for await (const raw of res.body as AsyncIterable<Buffer>) {
        let chunk = raw;
        if (skip > 0) {
          // The server ignored Range and sent the blob from its start: drop what we already have.
          const n = Math.min(skip, chunk.length);
          [chunk, skip] = [chunk.subarray(n), skip - n];
          if (chunk.length === 0) continue;
        }
        check.take(chunk);
        yield chunk;
      }
      if (!check.complete) throw unavailable(`connection closed after ${check.received} of ${desc.size} bytes`);
    } catch (err) {
      if (opts.signal?.aborted) throw cancelled(`download of ${desc.digest} cancelled`, err);
      if (!retryable(err)) throw err;
      failures = check.received > before ? 1 : failures + 1;
      if (failures > retries) throw unavailable(`downloading ${desc.digest} from ${check.where} failed after ${retries} retries: ${(err as Error).message}`, err);
      await sleep(delay, undefined, { signal: opts.signal }).catch(() => undefined);
      delay = Math.min(delay * 2, 5000);
    } finally {
      res?.body.destroy();
    }
  }
  check.verify();
}

/** Transport failures are worth another attempt; answers (404, 401) and verification failures are not. */
function retryable(err: unknown): boolean {
  return !(err instanceof BerthError) || err.kind === 'Unavailable';
}

/** GET the blob from `check.received` on; only 200 or a 206 starting right there is accepted. */
async function openAt(t: Transport, name: string, check: BlobCheck, signal?: AbortSignal): Promise<StreamResponse> {
  const headers: Record<string, string> = check.received > 0 ? { range: `bytes=${check.received}-` } : {};
  const res = await t.stream({ method: 'GET', url: blobPath(name, check.desc.digest), headers, signal });
  if (res.status === 200) return res;
  if (res.status === 206) {
    const start = Number(/^bytes (\d+)-/.exec(String(res.headers['content-range']))?.[1]);
    if (start === check.received) return res;
    res.body.destroy();
    throw system(`downloading ${check.desc.digest} from ${check.where}: asked for bytes from ${check.received}, got ${res.headers['content-range']}`);
  }
  const body = await drain(res.body);
  if (res.status === 404) throw notFound(`blob ${check.desc.digest} not found in ${check.where}`);
  throw responseError(`downloading ${check.desc.digest} from ${check.where}`, res.status, body);
}

/** Reads a small error body (bounded, so a misbehaving server cannot make us buffer a blob). */
async function drain(body: Readable, limit = 64 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    if (n < limit) parts.push(c);
    n += c.length;
    if (n >= limit) break;
  }
  body.destroy();
  return Buffer.concat(parts);
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
