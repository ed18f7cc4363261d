/**
 * The verified, resuming blob download as a plain Readable driven by the response's 'data' events
 * (pause/resume for backpressure): no async iteration between the socket and the consumer, since a
 * pull moves hundreds of MB/s through here. See blobs.ts for the contract.
 */
import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError, cancelled, notFound, system, unavailable } from '../../../protocol/errdefs.js';
import type { Descriptor } from '../../../protocol/types/image.js';
import { responseError } from './errors.js';
import type { StreamResponse, Transport } from './transport.js';

/** Tuning of a blob download. */
export interface BlobFetchOptions {
  signal?: AbortSignal;
  /** Consecutive failed attempts (without progress) before giving up. Default 5. */
  retries?: number;
  /** First pause between attempts, doubled each time. Default 250 ms. */
  retryDelayMs?: number;
  /**
   * Called with the count of verified-so-far bytes after each chunk (for progress), so a consumer
   * needs no counting stage of its own between the socket and the decompressor.
   */
  onBytes?: (received: number) => void;
  /**
   * false: the consumer hashes the bytes where it reads them anyway (a pull: the graph driver's apply
   * worker, off the main thread) and calls checkDigest() before it keeps anything; the stream checks
   * only the size. Default true.
   */
  verifyDigest?: boolean;
}

/** The algorithm part of a digest (`sha256` of `sha256:…`). */
export function algorithmOf(digest: string): string {
  return digest.slice(0, digest.indexOf(':'));
}

/** Path of a blob in a repository. */
export function blobPath(name: string, digest: string): string {
  return `/v2/${name}/blobs/${digest}`;
}

/** A blob download: exactly the descriptor's bytes, or an error instead of 'end'. */
export class BlobStream extends Readable {
  private readonly hash: Hash | undefined;
  private received = 0;
  private res?: StreamResponse;
  private busy = false;
  private failures = 0;
  private delay: number;
  private where = '';

  constructor(
    private readonly transport: () => Promise<Transport>,
    private readonly name: string,
    private readonly desc: Descriptor,
    private readonly opts: BlobFetchOptions = {},
  ) {
    super({ highWaterMark: 1 << 20 });
    this.hash = opts.verifyDigest === false ? undefined : createHash(algorithmOf(desc.digest));
    this.delay = opts.retryDelayMs ?? 250;
  }

  override _read(): void {
    if (this.res) this.res.body.resume();
    else if (!this.busy) void this.connect();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.release();
    cb(err);
  }

  /** Opens a response from the current offset and wires it up. */
  private async connect(): Promise<void> {
    // `busy` stays true from here through any retry pause, so _read never opens a second response.
    this.busy = true;
    if (this.destroyed) return;
    if (this.received >= this.desc.size) return this.finish();
    try {
      const t = await this.transport();
      this.where = `${t.endpoint.registry}/${this.name}`;
      const res = await openAt(t, this.name, this.desc, this.received, this.where, this.opts.signal);
      if (this.destroyed) return void res.body.destroy();
      this.res = res;
      this.busy = false;
      this.wire(res, res.status === 200 ? this.received : 0);
    } catch (err) {
      void this.failed(err);
    }
  }

  private wire(res: StreamResponse, skip: number): void {
    const attempt = this.received;
    res.body.on('data', (raw: Buffer) => {
      let chunk = raw;
      if (skip > 0) {
        // The server ignored Range and sent the blob from its start: drop what we already have.
        const n = Math.min(skip, chunk.length);
        [chunk, skip] = [chunk.subarray(n), skip - n];
        if (chunk.length === 0) return;
      }
      if (this.received + chunk.length > this.desc.size) {
        return this.fatal(system(`filesystem layer verification failed for digest ${this.desc.digest} (${this.where}): more than the ${this.desc.size} bytes the manifest announces`));
      }
      this.hash?.update(chunk);
      this.received += chunk.length;
      this.opts.onBytes?.(this.received);
      if (!this.push(chunk)) res.body.pause();
    });
    res.body.once('end', () => {
      if (this.received >= this.desc.size) return this.finish();
      void this.failed(unavailable(`connection closed after ${this.received} of ${this.desc.size} bytes`), attempt);
    });
    res.body.once('error', (err) => void this.failed(err, attempt));
  }

  /** All bytes are in: the digest decides between 'end' and an error. */
  private finish(): void {
    this.release();
    if (this.hash) {
      const err = this.mismatch(`${algorithmOf(this.desc.digest)}:${this.hash.digest('hex')}`);
      if (err) return this.fatal(err);
    }
    this.push(null);
  }

  private mismatch(actual: string): Error | undefined {
    if (actual === this.desc.digest) return undefined;
    return system(`filesystem layer verification failed for digest ${this.desc.digest} (${this.where}): the content has digest ${actual}`);
  }

  /** With verifyDigest false: throws what the stream would have failed with unless `actual` is the descriptor's digest. */
  checkDigest(actual: string): void {
    const err = this.mismatch(actual);
    if (err) throw err;
  }

  /** A failed attempt: retried after a pause when it can help, else the stream's error. */
  private async failed(err: unknown, attemptStart = this.received): Promise<void> {
    this.release();
    if (this.destroyed) return;
    if (this.opts.signal?.aborted) return this.fatal(cancelled(`download of ${this.desc.digest} cancelled`, err));
    if (err instanceof BerthError && err.kind !== 'Unavailable') return this.fatal(err);
    const retries = this.opts.retries ?? 5;
    this.failures = this.received > attemptStart ? 1 : this.failures + 1;
    if (this.failures > retries) {
      return this.fatal(unavailable(`downloading ${this.desc.digest} from ${this.where} failed after ${retries} retries: ${(err as Error).message}`, err));
    }
    this.busy = true;
    await sleep(this.delay, undefined, { signal: this.opts.signal }).catch(() => undefined);
    this.delay = Math.min(this.delay * 2, 5000);
    if (this.opts.signal?.aborted) return this.fatal(cancelled(`download of ${this.desc.digest} cancelled`, err));
    void this.connect();
  }

  private fatal(err: Error): void {
    this.release();
    this.destroy(err);
  }

  /** Lets go of the current response (its late events are ignored). */
  private release(): void {
    const res = this.res;
    this.res = undefined;
    if (!res) return;
    res.body.removeAllListeners('data').removeAllListeners('end').removeAllListeners('error');
    res.body.on('error', () => undefined);
    res.body.destroy();
  }
}

/** GET the blob from `offset` on; only 200 or a 206 starting right there is accepted. */
async function openAt(t: Transport, name: string, desc: Descriptor, offset: number, where: string, signal?: AbortSignal): Promise<StreamResponse> {
  const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
  const res = await t.stream({ method: 'GET', url: blobPath(name, desc.digest), headers, signal });
  if (res.status === 200) return res;
  if (res.status === 206) {
    const start = Number(/^bytes (\d+)-/.exec(String(res.headers['content-range']))?.[1]);
    if (start === offset) return res;
    res.body.destroy();
    throw system(`downloading ${desc.digest} from ${where}: asked for bytes from ${offset}, got ${res.headers['content-range']}`);
  }
  const body = await drain(res.body);
  if (res.status === 404) throw notFound(`blob ${desc.digest} not found in ${where}`);
  throw responseError(`downloading ${desc.digest} from ${where}`, res.status, body);
}

/** Reads a small error body (bounded, so a misbehaving server cannot make us buffer a blob). */
async function drain(body: Readable, limit = 64 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    parts.push(c);
    n += c.length;
    if (n >= limit) break;
  }
  body.destroy();
  return Buffer.concat(parts);
}
