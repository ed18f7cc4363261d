/**
 * The little of RFC 1035 the embedded DNS needs: read a query's header and first question, and
 * write an answer (A records, or an error code). Hand-written over Buffers: a DNS library would
 * be a dependency for some sixty lines. Pure functions, unit-tested on bytes.
 */

/** Record types the server tells apart. */
export const TYPE_A = 1;
export const TYPE_AAAA = 28;
const CLASS_IN = 1;

/** Response codes (RCODE). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** A parsed query: its id, flags, the question's name (lower case, no trailing dot), type and class. */
export interface DnsQuery {
  id: number;
  flags: number;
  name: string;
  type: number;
  qclass: number;
  /** The question section's bytes, copied verbatim into the answer. */
  question: Buffer;
}

/** Parses a query; null when it is not one we can read (then the server answers FORMERR or drops it). */
export function parseQuery(msg: Buffer): DnsQuery | null {
  if (msg.length < 12) return null;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000 || msg.readUInt16BE(4) < 1) return null; // a response, or no question
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    if (off >= msg.length) return null;
    const len = msg[off]!;
    if (len === 0) break;
    // Compression pointers and extended labels do not occur in a question we must read.
    if (len > 63 || off + 1 + len > msg.length) return null;
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('latin1'));
    off += 1 + len;
  }
  off += 1;
  if (off + 4 > msg.length) return null;
  return {
    id: msg.readUInt16BE(0), flags, name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(off), qclass: msg.readUInt16BE(off + 2),
    question: msg.subarray(12, off + 4),
  };
}

/** Whether the question is for the Internet class (the only one answered from the table). */
export function isInternet(q: DnsQuery): boolean {
  return q.qclass === CLASS_IN;
}

/** An answer to `q`: `rcode`, and one A record per address (TTL in seconds). */
export function answer(q: DnsQuery, rcode: number, addresses: string[] = [], ttl = 600): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR, the query's opcode and RD, AA (the names are ours), RA (others are forwarded).
  header.writeUInt16BE(0x8000 | (q.flags & 0x7900) | 0x0400 | 0x0080 | (rcode & 15), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const records = addresses.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
    return rr;
  });
  return Buffer.concat([header, q.question, ...records]);
}

/** A query for `name` (tests and the forwarder's probes). */
export function encodeQuery(id: number, name: string, type = TYPE_A): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  const labels = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(type, 1);
  tail.writeUInt16BE(CLASS_IN, 3);
  return Buffer.concat([header, ...labels, tail]);
}

/** The rcode and A addresses of an answer (tests). */
export function parseAnswer(msg: Buffer): { id: number; rcode: number; addresses: string[] } {
  const q = parseQuery(Buffer.concat([msg.subarray(0, 2), Buffer.from([msg[2]! & 0x7f, msg[3]!]), msg.subarray(4)]));
  const addresses: string[] = [];
  let off = 12 + (q?.question.length ?? 0);
  for (let i = 0; i < msg.readUInt16BE(6) && off + 12 <= msg.length; i++) {
    const type = msg.readUInt16BE(off + 2);
    const len = msg.readUInt16BE(off + 10);
    if (type === TYPE_A && len === 4) addresses.push([...msg.subarray(off + 12, off + 16)].join('.'));
    off += 12 + len;
  }
  return { id: msg.readUInt16BE(0), rcode: msg[3]! & 15, addresses };
}
