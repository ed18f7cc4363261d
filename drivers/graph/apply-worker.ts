/**
 * An apply worker (a worker_threads entry): decompresses, hashes, splits and applies the layers the
 * graph driver sends it (apply-pool.ts), several at a time, so that none of that per-byte work runs
 * on the daemon's main thread. The native addon loads here too (napi-rs addons are per-thread).
 */
import { type Hash, createHash } from 'node:crypto';
import { PassThrough, type Duplex } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';

import { applyPlainHashed } from './apply-hashed.js';
import { type FeedMessage, type ReplyMessage, type StartMessage, fromWire, toWire } from './apply-wire.js';
import { BATCH_BYTES } from './batch-feed.js';
import { ZstdDecompress, detectCompression } from './decompress.js';
import { defaultFileOps } from './native.js';

const fileOps = defaultFileOps();

/** Tar-split records are sent in batches of about this size. */
const RECORDS_BATCH = 64 * 1024;

/**
 * The decompressor the first bytes ask for. Only gzip's buffers go back for reuse: zlib is done with
 * a buffer once the write calls back, while fzstd and the tar reader (plain layers) keep slices.
 */
function stageFor(head: Uint8Array): { stage: Duplex; recycle: boolean } {
  const kind = detectCompression(head);
  if (kind === 'gzip') return { stage: createGunzip({ chunkSize: BATCH_BYTES }), recycle: true };
  return { stage: kind === 'zstd' ? new ZstdDecompress() : new PassThrough(), recycle: false };
}

/** Tar-split records on their way back, sent in batches. */
class RecordBatch {
  private parts: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly send: (records: Buffer) => void) {}

  add(r: Buffer): void {
    this.parts.push(r);
    this.bytes += r.length;
    if (this.bytes >= RECORDS_BATCH) this.flush();
  }

  flush(): void {
    if (this.bytes > 0) this.send(Buffer.concat(this.parts, this.bytes));
    this.parts = [];
    this.bytes = 0;
  }
}

/**
 * One layer: feeds the port's chunks to the decompressor and answers done or error. With an input
 * digest asked for, a failed layer still hashes the chunks that follow, up to the input's end, so
 * that a blob that is not the descriptor's is reported as such even when the apply failed first
 * (a corrupted gzip trailer fails gunzip's check before the input's end reaches this thread).
 */
class LayerJob {
  private readonly input: Hash | undefined;
  private readonly records: RecordBatch;
  private stage: Duplex | undefined;
  private recycle = false;
  private failed = false;
  private ended = false;

  constructor(private readonly start: StartMessage) {
    this.input = start.inputDigest === undefined ? undefined : createHash(start.inputDigest);
    this.records = new RecordBatch((records) => this.post({ records }));
    start.port.on('message', (m: FeedMessage) => this.onMessage(m));
  }

  private post(m: ReplyMessage, transfer: ArrayBuffer[] = []): void {
    this.start.port.postMessage(m, transfer);
  }

  private begin(head: Uint8Array): Duplex {
    const { stage, recycle } = stageFor(head);
    [this.stage, this.recycle] = [stage, recycle];
    const options = { whiteouts: this.start.whiteouts, fileOps, ...(this.start.split && { onRecords: (r: Buffer) => this.records.add(r) }) };
    applyPlainHashed(this.start.root, stage, options).then(
      (done) => {
        this.records.flush();
        this.post({ done });
        this.start.port.close();
      },
      (err: unknown) => this.fail(err),
    );
    return stage;
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.stage?.destroy();
    this.post({ error: toWire(err) });
    // With an input digest, the port stays open for the rest of the input, unless it all came already.
    if (!this.input || this.ended) this.start.port.close();
  }

  private onMessage(m: FeedMessage): void {
    try {
      if ('chunk' in m) return this.onChunk(m.chunk, m.length);
      if ('end' in m) {
        this.ended = true;
        if (this.input) this.post({ input: `${this.start.inputDigest}:${this.input.digest('hex')}` });
        if (this.failed) return this.start.port.close();
        return void (this.stage ?? this.begin(Buffer.alloc(0))).end();
      }
      if (this.failed) return this.start.port.close();
      (this.stage ?? this.begin(Buffer.alloc(0))).destroy(fromWire(m.abort));
    } catch (err) {
      this.fail(err);
    }
  }

  private onChunk(chunk: ArrayBuffer, length: number): void {
    const buf = Buffer.from(chunk, 0, length);
    this.input?.update(buf); // before the write: gzip's buffer goes back once written
    if (this.failed) return this.post({ ack: chunk }, [chunk]);
    (this.stage ?? this.begin(buf)).write(buf, (err) => {
      if (err || this.failed) return;
      this.post({ ack: this.recycle ? chunk : null }, this.recycle ? [chunk] : []);
    });
  }
}

parentPort?.on('message', (m: StartMessage) => void new LayerJob(m));
