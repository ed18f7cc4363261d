/**
 * Feeds a byte stream to a decompressor in large writes. Node's zlib streams make one trip to the
 * thread pool (a futex wake, a completion through the event loop, a callback) per write; fed the
 * socket's 64 KiB chunks, gunzip made ~1400 trips per 89 MB and cost about twice the CPU it costs
 * with 1 MiB writes. The chunks are copied into two fixed buffers used in turn, so the batching
 * allocates nothing per chunk (new ArrayBuffers would bring back the full GCs the heap tuning
 * avoids). A buffer is refilled only after the write that carried it called back, and zlib's write
 * callback comes once all its input was consumed, so zlib never reads a buffer being refilled.
 * Only for zlib: decoders that keep references to their input (fzstd) must not get reused buffers.
 */
import type { Readable, Writable } from 'node:stream';

/** Size of the batched writes. */
export const BATCH_BYTES = 1024 * 1024;

/**
 * Pipes `source` into `sink` in writes of `size` bytes (the last one shorter), then ends `sink`.
 * An error of either side destroys the other, as stream.pipeline would.
 */
export function feedInBatches(source: Readable, sink: Writable, size = BATCH_BYTES): void {
  const bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  const queue: Buffer[] = [];
  let cur = 0;
  let fill = 0;
  let inFlight = false;
  let ended = false;

  const send = () => {
    const buf = bufs[cur]!;
    inFlight = true;
    sink.write(fill === size ? buf : buf.subarray(0, fill), written);
    cur ^= 1;
    fill = 0;
  };
  // Copies queued chunks into the current buffer until the queue is empty or a full buffer must
  // wait for the write in flight (then the source is paused until that write calls back).
  const pump = () => {
    while (queue.length) {
      if (fill === size) {
        if (inFlight) return void source.pause();
        send();
      }
      const chunk = queue[0]!;
      const n = Math.min(size - fill, chunk.length);
      chunk.copy(bufs[cur]!, fill, 0, n);
      fill += n;
      if (n === chunk.length) queue.shift();
      else queue[0] = chunk.subarray(n);
    }
    if (fill === size && !inFlight) send();
    if (ended && !inFlight) return finish();
    if (!ended && source.isPaused()) source.resume();
  };
  function written(err?: Error | null): void {
    inFlight = false;
    if (!err) pump();
  }
  const finish = () => {
    if (sink.writableEnded) return;
    if (fill > 0) sink.write(bufs[cur]!.subarray(0, fill)); // never reused: no callback needed
    fill = 0;
    sink.end();
  };

  source.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    pump();
  });
  source.once('end', () => {
    ended = true;
    pump();
  });
  source.once('error', (err) => sink.destroy(err));
  source.resume(); // a peeked stream was left paused: 'data' alone would not start it
  sink.once('close', () => {
    if (!source.readableEnded) source.destroy();
  });
}
