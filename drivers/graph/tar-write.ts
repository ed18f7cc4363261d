/**
 * A small streaming tar writer (ustar + PAX) for layer diffs. tar-stream's packer cannot emit PAX
 * records with raw binary values (xattrs) and rewrites a zero mode to 0644, and both matter for
 * faithful layers, so the few header fields a layer needs are encoded here.
 */
import type { Stats } from 'node:fs';
import type { Readable } from 'node:stream';

import { system } from '../../protocol/errdefs.js';
import { encodePax } from './pax.js';

/** The entry types a layer diff holds. */
export type TarType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

/** The entry type of a file as lstat saw it; null for a socket (not archived, as with Docker). */
export function tarTypeOf(st: Stats): TarType | null {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return null;
}

/** One entry to write; `name` is root-relative (`etc/passwd`, directories without a trailing slash). */
export interface TarEntry {
  name: string;
  type: TarType;
  mode: number;
  uid: number;
  gid: number;
  /** Content bytes (regular files only). */
  size: number;
  mtime: Date;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: ReadonlyMap<string, Buffer>;
}

const BLOCK = 512;
const FLAG: Record<TarType | 'pax', string> = {
  file: '0', link: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6', pax: 'x',
};
const MAX_OCTAL_7 = 0o7777777;

function octal(buf: Buffer, offset: number, width: number, value: number): void {
  buf.write(Math.max(0, Math.trunc(value)).toString(8).padStart(width - 1, '0'), offset, width - 1, 'latin1');
}

const isPlain = (s: string, max: number) => Buffer.byteLength(s) <= max && /^[\x20-\x7e]*$/.test(s);

interface Block {
  name: string;
  flag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
}

function ustar(b: Block): Buffer {
  const buf = Buffer.alloc(BLOCK);
  buf.write(b.name, 0, 100, 'latin1');
  octal(buf, 100, 8, b.mode & 0o7777);
  octal(buf, 108, 8, b.uid);
  octal(buf, 116, 8, b.gid);
  octal(buf, 124, 12, b.size);
  octal(buf, 136, 12, b.mtime);
  buf.write(b.flag, 156, 1, 'latin1');
  buf.write(b.linkname, 157, 100, 'latin1');
  buf.write('ustar\x0000', 257, 8, 'latin1');
  octal(buf, 329, 8, b.devmajor);
  octal(buf, 337, 8, b.devminor);
  buf.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  let sum = 0;
  for (const byte of buf) sum += byte;
  buf.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return buf;
}

/** Zero bytes that round `size` up to whole blocks. */
export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The header block(s) of an entry: a PAX header first when a field does not fit ustar. */
export function encodeHeader(e: TarEntry): Buffer {
  const name = e.type === 'directory' ? `${e.name}/` : e.name;
  const link = e.linkname ?? '';
  const xattrs = e.xattrs ?? new Map<string, Buffer>();
  const plain = isPlain(name, 100) && isPlain(link, 100) && xattrs.size === 0 && e.uid <= MAX_OCTAL_7 && e.gid <= MAX_OCTAL_7;
  const main: Block = {
    name: plain ? name : name.replace(/[^\x20-\x7e]/g, '_').slice(-100),
    flag: FLAG[e.type],
    mode: e.mode,
    uid: Math.min(e.uid, MAX_OCTAL_7),
    gid: Math.min(e.gid, MAX_OCTAL_7),
    size: e.type === 'file' ? e.size : 0,
    mtime: Math.floor(e.mtime.getTime() / 1000),
    linkname: plain ? link : link.replace(/[^\x20-\x7e]/g, '_').slice(0, 100),
    devmajor: e.devmajor ?? 0,
    devminor: e.devminor ?? 0,
  };
  if (plain) return ustar(main);
  const body = encodePax(name, link || null, xattrs, e.uid > MAX_OCTAL_7 ? e.uid : null, e.gid > MAX_OCTAL_7 ? e.gid : null);
  const pax = ustar({ ...main, name: 'PaxHeader', flag: FLAG.pax, mode: 0o644, size: body.length, linkname: '' });
  return Buffer.concat([pax, body, padding(body.length), ustar(main)]);
}

/** The two zero blocks that end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/** The bytes of one entry: header, then `content` (regular files) and its padding. */
export async function* entryBytes(e: TarEntry, content?: Readable): AsyncGenerator<Buffer> {
  yield encodeHeader(e);
  if (e.type !== 'file' || e.size === 0) return;
  let written = 0;
  for await (const chunk of content ?? []) {
    written += (chunk as Buffer).length;
    if (written > e.size) break;
    yield chunk as Buffer;
  }
  // The header already promised e.size bytes: a file that changed meanwhile would corrupt the archive.
  if (written !== e.size) throw system(`archive ${e.name}: the file changed size while being read`);
  yield padding(e.size);
}
