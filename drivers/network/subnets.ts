/** Picking a subnet for a new network: the first block of the pools that collides with nothing. */
import { unavailable } from '../../protocol/errdefs.js';
import { formatCidr, overlaps, parseCidr, size, type Cidr } from './ipv4.js';

/** A pool user networks are carved from: `base` split into blocks of prefix length `size`. */
export interface AddressPool {
  base: string;
  size: number;
}

/** Default pools: 10.89.0.0/16 in /24 blocks (256 networks), clear of Docker's 172.17-31 and 192.168. */
export const DEFAULT_POOLS: AddressPool[] = [{ base: '10.89.0.0/16', size: 24 }];

/** The first block of `pools` overlapping none of `taken` (existing networks and host routes). */
export function pickSubnet(pools: AddressPool[], taken: string[]): string {
  const used: Cidr[] = taken.map((c) => parseCidr(c, false));
  for (const pool of pools) {
    const base = parseCidr(pool.base);
    const block = { base: 0, prefixLen: pool.size };
    for (let n = base.base; n < base.base + size(base); n += size(block)) {
      const candidate = { base: n, prefixLen: pool.size };
      if (!used.some((u) => overlaps(u, candidate))) return formatCidr(candidate);
    }
  }
  throw unavailable('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
}

/** The first host address of a subnet: the default gateway. */
export function firstHost(subnet: string): string {
  const c = parseCidr(subnet);
  return formatCidr({ base: c.base + 1, prefixLen: 32 }).replace(/\/32$/, '');
}
