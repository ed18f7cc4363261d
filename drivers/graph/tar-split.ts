/**
 * Tar layout records ("tar-split", as Docker keeps them for every layer): while a layer's
 * uncompressed tar streams into the graph driver, everything but the contents of regular files is
 * recorded — header blocks, PAX and GNU long-name records, padding, the end-of-archive and whatever
 * trails it — with a (path, size) reference in place of each file's content. Assembling the records
 * with the files of the layer tree gives back the very bytes that came in, so a layer's diffID still
 * holds when it is saved or pushed, without keeping the tar itself.
 *
 * Record stream: a magic line, then `RAW u32 len bytes` | `FILE u16 len name u64 size` | `END`.
 */
import { entryParts } from './paths.js';

/** The first bytes of every record stream (a format version for later changes). */
export const MAGIC = Buffer.from('berth-tar-split 1\n');
/** Record tag: raw bytes follow (u32 length). */
export const RAW = 1;
/** Record tag: a file's content, by path (u16 length) and size (u64). */
export const FILE = 2;
/** Record tag: the end of the records. */
export const END = 3;

const BLOCK = 512;
/** PAX and GNU long-name bodies are parsed for the entry's path; bigger ones are kept but not read. */
const META_MAX = 1024 * 1024;
/** Raw bytes are written out in records of at most this size (an odd layer may hold big raw bodies). */
const RAW_MAX = 1024 * 1024;

type Phase = 'header' | 'meta' | 'content' | 'raw' | 'trailer';

/** The path an entry's content lives at in the layer tree, or null when it is not a plain file there. */
function filePath(name: string): string | null {
  try {
    const parts = entryParts(name);
    // Whiteouts and AUFS metadata are never written as files: their bytes stay in the records.
    if (parts.length === 0 || parts.some((p) => p.startsWith('.wh.'))) return null;
    return parts.join('/');
  } catch {
    return null;
  }
}

function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end < 0 || end > start + len ? start + len : end);
}

/** A numeric header field: octal text, or GNU base-256 when the high bit is set. */
function numeric(buf: Buffer, start: number, len: number): number {
  if (buf[start]! & 0x80) {
    let n = buf[start]! & 0x7f;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + buf[i]!;
    return n;
  }
  const text = cString(buf, start, len).trim();
  const n = text === '' ? 0 : parseInt(text, 8);
  return Number.isFinite(n) ? n : NaN;
}

/** The `path` of a PAX record body (`len key=value\n`…), if it has one. */
function paxPath(body: Buffer): string | undefined {
  let found: string | undefined;
  let pos = 0;
  while (pos < body.length) {
    const space = body.indexOf(0x20, pos);
    const len = space < 0 ? NaN : parseInt(body.toString('latin1', pos, space), 10);
    if (!(len > 0) || pos + len > body.length) break;
    const record = body.toString('utf8', space + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') found = record.slice(eq + 1);
    pos += len;
  }
  return found;
}

/**
 * Splits a tar byte stream into records as it passes (feed every chunk, then end()). It never fails:
 * bytes it cannot make sense of are kept raw, so the records always reproduce the input exactly.
 */
export class TarSplitter {
  private phase: Phase = 'header';
  private readonly header = Buffer.alloc(BLOCK);
  private have = 0;
  private remaining = 0;
  private padAfter = 0;
  private meta: Buffer[] = [];
  private metaLen = 0;
  private metaType = '';
  private longName: string | undefined;
  private paxName: string | undefined;
  private raw: Buffer[] = [];
  private rawLen = 0;

  constructor(private readonly emit: (record: Buffer) => void) {
    emit(MAGIC);
  }

  /** Takes the next bytes of the stream. */
  feed(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) pos += this.step(chunk, pos);
  }

  /** The stream ended: flushes what is pending and writes the end record. */
  end(): void {
    if (this.phase === 'header' && this.have > 0) this.keep(Buffer.from(this.header.subarray(0, this.have)));
    this.flushRaw();
    this.emit(Buffer.from([END]));
  }

  private step(chunk: Buffer, pos: number): number {
    const avail = chunk.length - pos;
    if (this.phase === 'trailer') {
      this.keep(chunk.subarray(pos));
      return avail;
    }
    if (this.phase === 'header') {
      const n = Math.min(avail, BLOCK - this.have);
      chunk.copy(this.header, this.have, pos, pos + n);
      this.have += n;
      if (this.have === BLOCK) this.onHeader();
      return n;
    }
    const n = Math.min(avail, this.remaining);
    if (this.phase === 'meta') {
      if (this.metaLen < META_MAX) this.meta.push(Buffer.from(chunk.subarray(pos, pos + n)));
      this.metaLen += n;
      this.keep(chunk.subarray(pos, pos + n));
    } else if (this.phase === 'raw') this.keep(chunk.subarray(pos, pos + n));
    // 'content': the file's bytes go to the tree, not to the records.
    this.remaining -= n;
    if (this.remaining === 0) this.bodyDone();
    return n;
  }

  private onHeader(): void {
    this.have = 0;
    const h = this.header;
    this.keep(h);
    if (h.every((b) => b === 0)) return this.toTrailer();
    const size = numeric(h, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) return this.toTrailer();
    const type = String.fromCharCode(h[156]!);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if ('xgLK'.includes(type)) return this.body('meta', size, pad, type);
    const name = this.longName ?? this.paxName ?? this.ustarName(h);
    this.longName = this.paxName = undefined;
    const regular = type === '0' || type === '7' || (type === '\0' && !name.endsWith('/'));
    const at = regular && size > 0 ? filePath(name) : null;
    if (at === null) return this.body('raw', size, pad, type);
    this.flushRaw();
    const nameBytes = Buffer.from(at);
    const rec = Buffer.alloc(1 + 2 + nameBytes.length + 8);
    rec[0] = FILE;
    rec.writeUInt16BE(nameBytes.length, 1);
    nameBytes.copy(rec, 3);
    rec.writeBigUInt64BE(BigInt(size), 3 + nameBytes.length);
    this.emit(rec);
    this.body('content', size, pad, type);
  }

  private ustarName(h: Buffer): string {
    const name = cString(h, 0, 100);
    // POSIX ustar ("ustar\0" + "00") has a prefix field; GNU's "ustar  " uses those bytes otherwise.
    const posix = h.toString('latin1', 257, 263) === 'ustar\0';
    const prefix = posix ? cString(h, 345, 155) : '';
    return prefix ? `${prefix}/${name}` : name;
  }

  private body(phase: Phase, size: number, pad: number, type: string): void {
    this.metaType = type;
    this.meta = [];
    this.metaLen = 0;
    this.padAfter = pad;
    this.phase = phase;
    this.remaining = size;
    if (size === 0) this.bodyDone();
  }

  private bodyDone(): void {
    if (this.phase === 'meta') this.readMeta(Buffer.concat(this.meta));
    this.meta = [];
    if (this.padAfter > 0) {
      this.phase = 'raw';
      this.remaining = this.padAfter;
      this.padAfter = 0;
      return;
    }
    this.phase = 'header';
  }

  private readMeta(body: Buffer): void {
    if (this.metaType === 'L') this.longName = cString(body, 0, body.length);
    else if (this.metaType === 'x') this.paxName = paxPath(body) ?? this.paxName;
  }

  private toTrailer(): void {
    this.phase = 'trailer';
  }

  private keep(bytes: Buffer): void {
    if (!bytes.length) return;
    this.raw.push(Buffer.from(bytes)); // a copy: the caller's chunk (or header buffer) is reused
    this.rawLen += bytes.length;
    if (this.rawLen >= RAW_MAX) this.flushRaw();
  }

  private flushRaw(): void {
    if (this.rawLen === 0) return;
    const head = Buffer.alloc(5);
    head[0] = RAW;
    head.writeUInt32BE(this.rawLen, 1);
    this.emit(Buffer.concat([head, ...this.raw]));
    this.raw = [];
    this.rawLen = 0;
  }
}
