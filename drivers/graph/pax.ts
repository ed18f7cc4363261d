/**
 * PAX extended headers with binary values. tar-stream decodes and encodes PAX records as UTF-8
 * strings, which mangles xattr values such as security.capability (raw little-endian words, bytes
 * >= 0x80 included). Docker writes those bytes raw, so berth reads and writes these records itself.
 */
import type { Extract } from 'tar-stream';

import { system } from '../../protocol/errdefs.js';

/** The PAX key prefix Docker and GNU tar use for xattrs. */
export const XATTR_PREFIX = 'SCHILY.xattr.';

/** The xattrs of one PAX header block, values as raw bytes. */
export function parsePaxXattrs(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < buf.length) {
    const space = buf.indexOf(0x20, pos);
    const len = space < 0 ? NaN : Number(buf.toString('latin1', pos, space));
    if (!Number.isInteger(len) || len <= space - pos || pos + len > buf.length) break; // malformed tail
    const record = buf.subarray(space + 1, pos + len - 1); // without the trailing newline
    const eq = record.indexOf(0x3d);
    const key = eq < 0 ? '' : record.toString('utf8', 0, eq);
    if (key.startsWith(XATTR_PREFIX)) out.set(key.slice(XATTR_PREFIX.length), Buffer.from(record.subarray(eq + 1)));
    pos += len;
  }
  return out;
}

function record(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  // The length counts its own digits; one more digit may be needed once they are added.
  let len = body.length + String(body.length).length;
  if (String(len).length !== String(body.length).length) len = body.length + String(len).length;
  return Buffer.concat([Buffer.from(String(len), 'latin1'), body]);
}

/** A PAX header body: path, linkpath, ids too large for ustar, and xattrs as raw bytes. */
export function encodePax(
  name: string,
  linkname: string | null,
  xattrs: ReadonlyMap<string, Buffer>,
  uid: number | null = null,
  gid: number | null = null,
): Buffer {
  const parts = [record('path', Buffer.from(name, 'utf8'))];
  if (linkname) parts.push(record('linkpath', Buffer.from(linkname, 'utf8')));
  if (uid !== null) parts.push(record('uid', Buffer.from(String(uid))));
  if (gid !== null) parts.push(record('gid', Buffer.from(String(gid))));
  for (const [key, value] of xattrs) parts.push(record(XATTR_PREFIX + key, value));
  return Buffer.concat(parts);
}

type DecodeLongHeader = (this: Extract, buf: Buffer) => void;

/**
 * Makes `extract` remember the raw xattrs of every PAX header. The result maps an entry's decoded
 * `pax` object (tar-stream hands the same object on as `header.pax`) to its raw xattrs.
 * This reaches into tar-stream 3's private _decodeLongHeader; a test with a binary xattr guards it.
 */
export function captureRawXattrs(extract: Extract): WeakMap<object, Map<string, Buffer>> {
  const raw = new WeakMap<object, Map<string, Buffer>>();
  const original: unknown = Reflect.get(extract, '_decodeLongHeader');
  if (typeof original !== 'function') throw system('apply layer: tar-stream internals changed; cannot read binary xattrs');
  const decode = original as DecodeLongHeader;
  Reflect.set(extract, '_decodeLongHeader', function (this: Extract, buf: Buffer) {
    decode.call(this, buf);
    const header: unknown = Reflect.get(this, '_header');
    const pax: unknown = Reflect.get(this, '_pax');
    if (typeof header === 'object' && header && Reflect.get(header, 'type') === 'pax-header' && typeof pax === 'object' && pax) {
      raw.set(pax, parsePaxXattrs(buf));
    }
  });
  return raw;
}
