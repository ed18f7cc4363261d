/**
 * feedInBatches: what the decompressor is fed is exactly the input, in writes of the batch size,
 * although two buffers are reused; errors cross in both directions.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { createGunzip, gzipSync } from 'node:zlib';
import t from 'tap';

import { feedInBatches } from '../../drivers/graph/batch-feed.js';
import { decompressed } from '../../drivers/graph/decompress.js';

/** A sink that copies what it gets (reused buffers would show as corruption) and calls back late. */
function slowSink(): Writable & { got: Buffer[] } {
  const got: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      got.push(Buffer.from(chunk));
      void tick().then(() => cb());
    },
  });
  return Object.assign(sink, { got });
}

function chunked(data: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

t.test('the bytes arrive intact, in writes of the batch size, whatever the input chunks', async (t) => {
  const data = randomBytes(10_000);
  for (const sizes of [[1], [7, 300, 2500], [4096], [10_000], [1000, 5000]]) {
    const sink = slowSink();
    feedInBatches(Readable.from(chunked(data, sizes)), sink, 1024);
    await new Promise((resolve) => sink.once('finish', resolve));
    t.same(Buffer.concat(sink.got), data, `chunks of ${sizes.join('/')}`);
    t.same(sink.got.slice(0, -1).map((b) => b.length), new Array(sink.got.length - 1).fill(1024), 'all but the last write are full');
  }
});

t.test('an empty stream ends the sink with no write', async (t) => {
  const sink = slowSink();
  feedInBatches(Readable.from([]), sink, 1024);
  await new Promise((resolve) => sink.once('finish', resolve));
  t.same(sink.got, []);
});

t.test('a source error destroys the sink with it; a sink error destroys the source', async (t) => {
  const source = new PassThrough();
  const sink = slowSink();
  feedInBatches(source, sink, 64);
  source.write(Buffer.alloc(100));
  source.destroy(new Error('connection reset'));
  const err = await new Promise<Error>((resolve) => sink.once('error', resolve));
  t.equal(err.message, 'connection reset');

  const source2 = new PassThrough();
  const gunzip = createGunzip();
  gunzip.on('error', () => undefined);
  feedInBatches(source2, gunzip, 64);
  source2.write(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5]));
  source2.end();
  await new Promise((resolve) => source2.once('close', resolve));
  t.ok(source2.destroyed, 'corrupt gzip: the source is torn down');
});

t.test('a gzip layer through decompressed() comes out whole (MiB batches, socket-sized chunks)', async (t) => {
  const raw = randomBytes(3 * 1024 * 1024 + 17);
  const out: Buffer[] = [];
  for await (const c of await decompressed(Readable.from(chunked(gzipSync(raw, { level: 1 }), [65536, 1000])))) out.push(c as Buffer);
  t.same(Buffer.concat(out), raw);
});
