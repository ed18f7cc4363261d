/**
 * Where tar-split records live: one gzip file per layer tree, `<dataRoot>/image/tar-split/<cacheId>.gz`,
 * written while the layer is applied and renamed into place once it applied, removed with the layer.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { system } from '../../../protocol/errdefs.js';
import { checkLayerId } from '../../../drivers/graph/backend.js';
import { END, FILE, MAGIC, RAW, TarSplitter } from '../../../drivers/graph/tar-split.js';

/** One record read back. */
export type SplitRecord = { type: 'raw'; bytes: Buffer } | { type: 'file'; path: string; size: number };

/** Records being written for a layer that is being applied. */
export interface SplitWriter {
  /** Every byte of the uncompressed layer, in order (the records are split here). */
  feed(chunk: Buffer): void;
  /** Records already split where the bytes are (the graph driver's apply worker), in order; not with feed. */
  records(records: Buffer): void;
  /** The layer applied: the records are complete, synced and moved into place. */
  commit(): Promise<void>;
  /** The layer failed: nothing is kept. */
  abort(): Promise<void>;
}

/** The tar-split records of every layer tree. */
export class TarSplitStore {
  constructor(readonly dir: string) {}

  /** The store of a data root. */
  static at(dataRoot: string): TarSplitStore {
    return new TarSplitStore(path.join(dataRoot, 'image', 'tar-split'));
  }

  /** The records file of a layer tree. */
  path(cacheId: string): string {
    checkLayerId(cacheId, 'tar-split');
    return path.join(this.dir, `${cacheId}.gz`);
  }

  /** Whether a layer tree has records. */
  has(cacheId: string): Promise<boolean> {
    return fsp.stat(this.path(cacheId)).then(() => true, () => false);
  }

  /** Removes a layer tree's records (missing is fine). */
  async remove(cacheId: string): Promise<void> {
    await fsp.rm(this.path(cacheId), { force: true });
  }

  /** Removes the records of every layer tree not in `held`, and temporary files a crash left. */
  async prune(held: ReadonlySet<string>): Promise<number> {
    let n = 0;
    for (const name of await fsp.readdir(this.dir).catch(() => [] as string[])) {
      if (held.has(name.replace(/\.gz$/, ''))) continue;
      await fsp.rm(path.join(this.dir, name), { force: true });
      n++;
    }
    return n;
  }

  /** Starts the records of a layer tree. */
  async writer(cacheId: string): Promise<SplitWriter> {
    const final = this.path(cacheId);
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = path.join(this.dir, `.tmp-${cacheId}-${randomBytes(4).toString('hex')}`);
    const gzip = createGzip({ level: 1 }); // headers compress well even at the fastest level
    const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
    gzip.pipe(out);
    const written = finished(out);
    written.catch(() => undefined); // awaited in commit; an abort leaves it rejected
    // Made on the first feed (or at commit), so that split records arriving whole get no second magic.
    let splitter: TarSplitter | undefined;
    let whole = false;
    const split = () => (splitter ??= new TarSplitter((r) => void gzip.write(r)));
    return {
      feed: (chunk) => split().feed(chunk),
      records: (records) => {
        whole = true;
        gzip.write(records);
      },
      commit: async () => {
        if (!whole) split().end();
        gzip.end();
        await written;
        const f = await fsp.open(tmp, 'r');
        await f.sync().finally(() => f.close());
        await fsp.rename(tmp, final);
      },
      abort: async () => {
        gzip.destroy();
        out.destroy();
        await fsp.rm(tmp, { force: true });
      },
    };
  }

  /** The records of a layer tree, in order; an error if they are cut short or malformed. */
  async *records(cacheId: string): AsyncGenerator<SplitRecord> {
    const q = new ByteQueue();
    const source = createReadStream(this.path(cacheId)).pipe(createGunzip());
    const what = `tar-split records of layer ${cacheId}`;
    let magic = false;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        q.push(chunk);
        if (!magic) {
          if (q.length < MAGIC.length) continue;
          if (!q.take(MAGIC.length).equals(MAGIC)) throw system(`${what}: not a tar-split file`);
          magic = true;
        }
        for (let r = nextRecord(q, what); r !== undefined; r = nextRecord(q, what)) {
          if (r === 'end') return;
          yield r;
        }
      }
    } finally {
      source.destroy();
    }
    throw system(`${what}: cut short`);
  }

  /** The size of the tar the records assemble to. */
  async size(cacheId: string): Promise<number> {
    let n = 0;
    for await (const r of this.records(cacheId)) n += r.type === 'raw' ? r.bytes.length : r.size;
    return n;
  }
}

/** The next complete record, 'end', or undefined when more bytes are needed. */
function nextRecord(q: ByteQueue, what: string): SplitRecord | 'end' | undefined {
  if (q.length < 1) return undefined;
  const tag = q.peek(1)[0];
  if (tag === END) {
    q.take(1);
    return 'end';
  }
  if (tag === RAW) {
    if (q.length < 5) return undefined;
    const len = q.peek(5).readUInt32BE(1);
    if (q.length < 5 + len) return undefined;
    return { type: 'raw', bytes: q.take(5 + len).subarray(5) };
  }
  if (tag === FILE) {
    if (q.length < 3) return undefined;
    const len = q.peek(3).readUInt16BE(1);
    if (q.length < 3 + len + 8) return undefined;
    const rec = q.take(3 + len + 8);
    return { type: 'file', path: rec.toString('utf8', 3, 3 + len), size: Number(rec.readBigUInt64BE(3 + len)) };
  }
  throw system(`${what}: unknown record type ${tag}`);
}

/** Bytes arriving in chunks, taken from the front; copies only what a record spans. */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  take(n: number): Buffer {
    const out = Buffer.from(this.peek(n));
    const first = this.chunks[0]!;
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.length -= n;
    return out;
  }
}
