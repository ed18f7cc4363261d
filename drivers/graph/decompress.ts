/**
 * Layer blobs arrive as plain tar, gzip or zstd (OCI media types +gzip, +zstd). The format is read
 * from the magic bytes, not from a media type, so a mislabelled blob still applies.
 */
import { Readable, Transform, type TransformCallback, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

import { invalidParameter, notImplemented } from '../../protocol/errdefs.js';

/** The compression a layer stream uses. */
export type Compression = 'none' | 'gzip' | 'zstd';

const MAGIC: [Compression | 'bzip2' | 'xz', number[]][] = [
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
];

/** The compression the first bytes of a stream announce. */
export function detectCompression(head: Uint8Array): Compression {
  for (const [kind, bytes] of MAGIC) {
    if (bytes.every((b, i) => head[i] === b)) {
      if (kind === 'bzip2' || kind === 'xz') throw notImplemented(`apply layer: ${kind}-compressed layers are not supported`);
      return kind;
    }
  }
  return 'none';
}

/** Node 20's zlib has no zstd; fzstd decodes in JS, one input chunk at a time. */
class ZstdDecompress extends Transform {
  private readonly decoder = new Decompress((chunk) => {
    this.push(Buffer.from(chunk)); // copy: the decoder reuses its window buffer
  });

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.feed(chunk, false, done);
  }

  override _flush(done: TransformCallback): void {
    this.feed(new Uint8Array(0), true, done);
  }

  private feed(chunk: Uint8Array, last: boolean, done: TransformCallback): void {
    try {
      this.decoder.push(chunk, last);
      done();
    } catch (err) {
      done(invalidParameter(`apply layer: corrupt zstd stream: ${(err as Error).message}`, err));
    }
  }
}

// Reads at least `want` bytes (or up to the end) without losing them: they are replayed in front.
async function peek(input: Readable, want: number): Promise<{ head: Buffer; stream: Readable }> {
  const it = input[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let have = 0;
  let ended = false;
  while (have < want) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = Buffer.from(next.value as Uint8Array);
    chunks.push(chunk);
    have += chunk.length;
  }
  const head = Buffer.concat(chunks);
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => it };
  const replay = async function* () {
    if (head.length) yield head;
    if (!ended) yield* rest; // yield* hands destroy() on to the input's iterator
  };
  return { head, stream: Readable.from(replay(), { objectMode: false }) };
}

/** The tar bytes of a layer stream, decompressed when its magic says gzip or zstd. */
export async function decompressed(input: Readable): Promise<Readable> {
  const { head, stream } = await peek(input, 6);
  const kind = detectCompression(head);
  if (kind === 'none') return stream;
  // Big output chunks: every chunk costs a callback and a hop through each stage after this one.
  const decoder = kind === 'gzip' ? createGunzip({ chunkSize: 256 * 1024 }) : new ZstdDecompress();
  // pipeline destroys every stage with the first error, so the tar reader sees it.
  return pipeline(stream, decoder, () => undefined);
}
