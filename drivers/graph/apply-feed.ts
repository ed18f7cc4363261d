/**
 * The driver's side of one layer on an apply worker: the compressed bytes go over in 1 MiB
 * ArrayBuffers, transferred (never copied between threads), at most IN_FLIGHT of them unacked, so a
 * layer holds ~4 MiB however fast the registry sends and however slow the disk is; the source is
 * paused meanwhile. Socket chunks (64 KiB) are copied once into the current buffer: the worker pays
 * per message as zlib pays per write (batch-feed.ts). gzip's buffers come back with the ack.
 */
import type { Readable } from 'node:stream';
import { finished } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';

import { unavailable } from '../../protocol/errdefs.js';
import { type FeedMessage, type ReplyMessage, fromWire, toWire } from './apply-wire.js';
import type { ApplyResult } from './backend.js';
import { BATCH_BYTES } from './batch-feed.js';

/** Buffers a layer may have on their way to (or inside) the worker. */
export const IN_FLIGHT = 4;

/** What the driver does with the worker's answers besides the result. */
export interface FeedHooks {
  onRecords?: (records: Buffer) => void;
  /** Told the count of source bytes the worker has taken so far, as its acks come back. */
  onApplied?: (bytes: number) => void;
  /** Checks the input digest the worker sends once the input ended; its error wins over the result. */
  checkInput?: (digest: string) => void;
  /** Settles with the error to fail with when the worker dies or is terminated first. */
  lost?: Promise<Error>;
  /** Why the worker went away, when the port closes before it answered. */
  reason?: () => Error | undefined;
}

/**
 * Sends `source` to the worker at the other end of `port` and resolves with the worker's result. A
 * source error is sent to the worker as an abort, which fails its apply with that error; a worker
 * error destroys the source. Either way the port is closed once the worker answered.
 */
export function feedWorker(port: MessagePort, source: Readable, hooks: FeedHooks = {}): Promise<ApplyResult> {
  return new Promise((resolve, reject) => new WorkerFeed(port, source, hooks, (err, result) => (err ? reject(err) : resolve(result!))));
}

class WorkerFeed {
  private readonly free: ArrayBuffer[] = [];
  private readonly queue: Buffer[] = [];
  private cur: Buffer | null = null;
  private fill = 0;
  private inFlight = 0;
  /** Lengths of the buffers sent and not yet acked, oldest first (the worker acks in order). */
  private readonly unacked: number[] = [];
  private applied = 0;
  private ended = false;
  /** Nothing more goes to the worker (the end or an abort was sent, or the worker answered). */
  private stopped = false;
  private settled = false;
  /** What checkInput said of the input digest; it wins over the worker's answer. */
  private verdict: Error | null = null;
  /** The worker's error, held until the input digest comes when the input's end was sent. */
  private failure: Error | null = null;
  private inputSeen = false;
  private readonly onData = (chunk: Buffer) => {
    this.queue.push(chunk);
    this.pump();
  };

  constructor(
    private readonly port: MessagePort,
    private readonly source: Readable,
    private readonly hooks: FeedHooks,
    private readonly done: (err: Error | null, result?: ApplyResult) => void,
  ) {
    port.on('message', (m: ReplyMessage) => this.onReply(m));
    port.once('close', () => this.settle(this.failure ?? hooks.reason?.() ?? unavailable('apply layer: the apply worker went away')));
    // finished() reports a source destroyed without an error too (a premature close).
    finished(source, { writable: false }, (err) => this.onSourceDone(err));
    void hooks.lost?.then((err) => this.settle(err));
    source.on('data', this.onData);
  }

  private post(m: FeedMessage, transfer: ArrayBuffer[] = []): void {
    this.port.postMessage(m, transfer);
  }

  private send(): void {
    const ab = this.cur!.buffer as ArrayBuffer;
    this.post({ chunk: ab, length: this.fill }, [ab]);
    this.unacked.push(this.fill);
    this.inFlight++;
    this.cur = null;
    this.fill = 0;
  }

  /** Copies queued chunks into buffers and sends the full ones; pauses the source when none is free. */
  private pump(): void {
    if (this.stopped) return;
    while (this.queue.length) {
      if (!this.cur) {
        const ab = this.free.pop() ?? (this.inFlight < IN_FLIGHT ? new ArrayBuffer(BATCH_BYTES) : null);
        if (!ab) return void this.source.pause();
        this.cur = Buffer.from(ab);
      }
      const chunk = this.queue[0]!;
      const n = Math.min(BATCH_BYTES - this.fill, chunk.length);
      chunk.copy(this.cur, this.fill, 0, n);
      this.fill += n;
      if (n === chunk.length) this.queue.shift();
      else this.queue[0] = chunk.subarray(n);
      if (this.fill === BATCH_BYTES) this.send();
    }
    if (this.ended) {
      if (this.cur && this.fill > 0) this.send();
      this.stopped = true;
      return this.post({ end: true });
    }
    if (this.source.isPaused()) this.source.resume();
  }

  private onSourceDone(err: Error | null | undefined): void {
    if (this.stopped) return;
    if (!err) {
      this.ended = true;
      return this.pump();
    }
    this.stopped = true;
    this.post({ abort: toWire(err) });
  }

  private onReply(m: ReplyMessage): void {
    if ('ack' in m) {
      this.inFlight--;
      this.applied += this.unacked.shift() ?? 0;
      this.hooks.onApplied?.(this.applied);
      if (m.ack) this.free.push(m.ack);
      return this.pump();
    }
    if ('records' in m) return this.hooks.onRecords?.(Buffer.from(m.records.buffer, m.records.byteOffset, m.records.byteLength));
    if ('input' in m) {
      this.inputSeen = true;
      this.verdict = check(this.hooks.checkInput, m.input);
      return void (this.failure && this.settle(this.failure));
    }
    if ('done' in m) return this.settle(null, m.done);
    this.failure = fromWire(m.error);
    // The input's end is on its way to the worker: its digest follows, and may be the better answer.
    if (!(this.hooks.checkInput && this.ended && this.stopped && !this.inputSeen)) this.settle(this.failure);
  }

  private settle(failure: Error | null, result?: ApplyResult): void {
    if (this.settled) return;
    this.settled = true;
    this.stopped = true;
    this.port.close();
    this.source.off('data', this.onData);
    const err = this.verdict ?? failure;
    if (err) this.source.destroy();
    this.done(err, result);
  }
}

/** The error `checkInput` throws for `digest`, if any. */
function check(checkInput: ((digest: string) => void) | undefined, digest: string): Error | null {
  try {
    checkInput?.(digest);
    return null;
  } catch (err) {
    return err as Error;
  }
}
