/** IPv4 arithmetic for IPAM and rule generation: addresses as unsigned 32-bit numbers. */
import { invalidParameter } from '../../protocol/errdefs.js';

/** A subnet: its network address and prefix length. */
export interface Cidr {
  /** The network address (host bits cleared). */
  base: number;
  prefixLen: number;
}

/** "10.88.0.2" → number; InvalidParameter when malformed. */
export function parseIp(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw invalidParameter(`invalid IPv4 address: ${JSON.stringify(s)}`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** number → "10.88.0.2". */
export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The netmask of a prefix length, as a number. */
export function mask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** "10.88.0.0/16" → Cidr. With `strict`, host bits must be zero (Docker's "invalid subnet"). */
export function parseCidr(s: string, strict = true): Cidr {
  const [ip, len, extra] = s.split('/');
  const prefixLen = Number(len);
  if (ip === undefined || len === undefined || extra !== undefined || !/^\d{1,2}$/.test(len) || prefixLen > 32) {
    throw invalidParameter(`invalid CIDR address: ${s}`);
  }
  const n = parseIp(ip);
  const base = (n & mask(prefixLen)) >>> 0;
  if (strict && base !== n) throw invalidParameter(`invalid subnet ${s}: it has host bits set (did you mean ${formatCidr({ base, prefixLen })}?)`);
  return { base, prefixLen };
}

/** Cidr → "10.88.0.0/16". */
export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefixLen}`;
}

/** Number of addresses in the subnet. */
export function size(c: Cidr): number {
  return 2 ** (32 - c.prefixLen);
}

/** The last address (the broadcast address for prefixes up to /30). */
export function last(c: Cidr): number {
  return c.base + size(c) - 1;
}

/** Whether `ip` is inside `c`. */
export function contains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip <= last(c);
}

/** Whether two subnets share any address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= last(b) && b.base <= last(a);
}
