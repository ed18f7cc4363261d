/**
 * Layer tarballs for tests, built at test time with tar-stream (no binary fixtures): a small entry
 * spec, optional gzip or zstd, and a minimal zstd framer (raw blocks) since Node 20 cannot compress
 * zstd. Entries with binary xattrs go through berth's own writer, which tar-stream cannot express.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

import { type TarEntry, END_OF_ARCHIVE, encodeHeader, padding } from '../../drivers/graph/tar-write.js';

/** One entry of a test layer. Directories need no trailing slash. */
export interface TarSpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** xattrs; string values go into tar-stream's PAX header, Buffers force berth's writer. */
  xattrs?: Record<string, string | Buffer>;
}

/** The default mtime of test entries: whole seconds, so archives round-trip exactly. */
export const T0 = new Date('2024-01-02T03:04:05Z');

const S_IFREG = 0o100000;

function defaultMode(type: TarSpec['type']): number {
  return type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644;
}

function hasBinaryXattr(spec: TarSpec): boolean {
  return Object.values(spec.xattrs ?? {}).some((v) => typeof v !== 'string');
}

const WRITER_TYPE = {
  file: 'file', directory: 'directory', symlink: 'symlink', link: 'link', 'character-device': 'char', 'block-device': 'block', fifo: 'fifo',
} as const;

// berth's writer, for the entries tar-stream cannot encode faithfully.
function ownEntry(spec: TarSpec, body: Buffer): Buffer {
  const e: TarEntry = {
    name: spec.name, type: WRITER_TYPE[spec.type ?? 'file'], mode: spec.mode ?? defaultMode(spec.type),
    uid: spec.uid ?? 0, gid: spec.gid ?? 0, size: body.length, mtime: spec.mtime ?? T0, linkname: spec.linkname,
    devmajor: spec.devmajor, devminor: spec.devminor,
    xattrs: new Map(Object.entries(spec.xattrs ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
  };
  return Buffer.concat([encodeHeader(e), body, padding(body.length)]);
}

async function packed(specs: TarSpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const spec of specs) {
    const body = Buffer.from(spec.content ?? '');
    const xattrs = Object.entries(spec.xattrs ?? {});
    const mode = spec.mode ?? defaultMode(spec.type);
    pack.entry({
      name: spec.name, type: spec.type ?? 'file', mode: mode === 0 ? S_IFREG : mode, // tar-stream turns 0 into 0644
      uid: spec.uid ?? 0, gid: spec.gid ?? 0, mtime: spec.mtime ?? T0, linkname: spec.linkname ?? '',
      devmajor: spec.devmajor ?? 0, devminor: spec.devminor ?? 0,
      ...(xattrs.length ? { pax: Object.fromEntries(xattrs.map(([k, v]) => [`SCHILY.xattr.${k}`, v])) } : {}),
    }, body);
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks).subarray(0, -END_OF_ARCHIVE.length); // the caller appends the end
}

/** A tar archive of `specs`, in order. */
export async function buildTar(specs: TarSpec[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  let run: TarSpec[] = [];
  const flush = async () => {
    if (run.length) parts.push(await packed(run));
    run = [];
  };
  for (const spec of specs) {
    if (!hasBinaryXattr(spec)) {
      run.push(spec);
      continue;
    }
    await flush();
    parts.push(ownEntry(spec, Buffer.from(spec.content ?? '')));
  }
  await flush();
  return Buffer.concat([...parts, END_OF_ARCHIVE]);
}

/** A zstd frame holding `data` in raw (stored) blocks: valid zstd that any decoder must accept. */
export function zstdFrame(data: Buffer): Buffer {
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0]); // single segment, 4-byte size
  header.writeUInt32LE(data.length, 5);
  const blocks: Buffer[] = [header];
  const MAX = 128 * 1024;
  for (let off = 0; off === 0 || off < data.length; off += MAX) {
    const chunk = data.subarray(off, off + MAX);
    const last = off + MAX >= data.length ? 1 : 0;
    const bh = (chunk.length << 3) | last; // block type 0: raw
    blocks.push(Buffer.from([bh & 0xff, (bh >> 8) & 0xff, (bh >> 16) & 0xff]), chunk);
  }
  return Buffer.concat(blocks);
}

/** Compression for a test layer. */
export type TestCompression = 'none' | 'gzip' | 'zstd';

/** A layer stream of `specs`, compressed as asked, delivered in small chunks like a download. */
export async function layerStream(specs: TarSpec[], compression: TestCompression = 'none'): Promise<Readable> {
  const raw = await buildTar(specs);
  const bytes = compression === 'gzip' ? gzipSync(raw) : compression === 'zstd' ? zstdFrame(raw) : raw;
  const chunks: Buffer[] = [];
  for (let off = 0; off < bytes.length; off += 1000) chunks.push(bytes.subarray(off, off + 1000));
  return Readable.from(chunks, { objectMode: false });
}
