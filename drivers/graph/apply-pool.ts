/**
 * The daemon's layer applier: a small pool of worker threads (apply-worker.ts). The blob digest,
 * gunzip's callbacks, the diffID hash, the tar reader and the file writes cost the main thread
 * ~2-3 ms per MB pulled when they ran there, and held the downloads and the API up behind them;
 * on the workers the main thread keeps only the download and a copy into the buffers it sends.
 */
import type { Readable } from 'node:stream';
import { MessageChannel, Worker } from 'node:worker_threads';

import { unavailable } from '../../protocol/errdefs.js';
import { feedWorker } from './apply-feed.js';
import type { StartMessage } from './apply-wire.js';
import type { LayerApplier, LayerApplyOptions } from './applier.js';
import type { ApplyResult } from './backend.js';

/** Workers in the pool: two cores here; one worker keeps several layers going, a second adds a core. */
export const POOL_SIZE = 2;

interface Slot {
  worker: Worker;
  jobs: number;
  /** Resolves with the error a job fails with when the worker goes away. */
  lost: Promise<Error>;
  /** Why the worker is going away, once known (its ports may close before it has exited). */
  reason?: Error;
}

/** Workers started on first use (with the default FileOps, addon included), ended by close(). */
export class ApplyPool implements LayerApplier {
  private readonly slots: Slot[] = [];

  constructor(private readonly size = POOL_SIZE) {}

  private spawn(): Slot {
    // No inherited node flags: the daemon's own (`--input-type` of an `-e` start) can stop a worker
    // from starting, and V8's flags (the heap tuning) are process-wide anyway.
    const worker = new Worker(new URL('./apply-worker.js', import.meta.url), { execArgv: [] });
    let lose!: (err: Error) => void;
    const slot: Slot = { worker, jobs: 0, lost: new Promise((r) => (lose = r)) };
    const gone = (why: string) => {
      if (this.slots.includes(slot)) this.slots.splice(this.slots.indexOf(slot), 1);
      slot.reason ??= unavailable(`apply layer: ${why}`);
      lose(slot.reason);
    };
    worker.on('error', (err) => gone(`the apply worker failed: ${err.message}`));
    worker.on('exit', () => gone('the apply worker exited'));
    worker.unref(); // idle workers do not keep the process alive; a running job refs its own
    this.slots.push(slot);
    return slot;
  }

  /** An idle worker, else a new one while the pool has room, else the least busy; never one that is ending. */
  private pick(): Slot {
    const live = this.slots.filter((s) => !s.reason);
    const idle = live.find((s) => s.jobs === 0);
    if (idle) return idle;
    if (live.length < this.size) return this.spawn();
    return live.reduce((a, b) => (b.jobs < a.jobs ? b : a));
  }

  async apply(root: string, input: Readable, options: LayerApplyOptions): Promise<ApplyResult> {
    const slot = this.pick();
    const { port1, port2 } = new MessageChannel();
    const { whiteouts, onRecords, inputDigest, onApplied } = options;
    const start: StartMessage = { port: port2, root, whiteouts, split: onRecords !== undefined, ...(inputDigest && { inputDigest: inputDigest.algorithm }) };
    slot.worker.postMessage(start, [port2]);
    if (slot.jobs++ === 0) slot.worker.ref();
    try {
      const hooks = { lost: slot.lost, reason: () => slot.reason };
      const optional = { ...(onRecords && { onRecords }), ...(onApplied && { onApplied }), ...(inputDigest && { checkInput: (d: string) => inputDigest.check(d) }) };
      return await feedWorker(port1, input, { ...hooks, ...optional });
    } finally {
      if (--slot.jobs === 0) slot.worker.unref();
    }
  }

  /** Ends the workers (their layers fail as Unavailable); an apply after this starts new ones. */
  async close(): Promise<void> {
    const ending = this.slots.map((s) => {
      s.reason ??= unavailable('apply layer: the graph driver is shutting down');
      return s.worker.terminate();
    });
    // A worker being terminated no longer holds the event loop open, and its 'exit' (which settles
    // terminate()) can come after the loop ran out of other work: hold it open until then.
    const hold = setInterval(() => undefined, 1000);
    await Promise.all(ending).finally(() => clearInterval(hold));
  }
}
