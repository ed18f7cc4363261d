/**
 * A test daemon's own default bridge and subnet. Test daemons run side by side (tap runs files in
 * parallel, CI runs jobs on one host); with berth0 and 10.88.0.0/16 each they would share a bridge
 * and an nft table and break each other's rules. The name and subnet derive from the daemon's
 * directory (so a restart on the same directory gets the same ones back).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { parseProcRoute } from '../../drivers/network/native.js';
import { overlaps, parseCidr } from '../../drivers/network/ipv4.js';

/** Default subnets of test daemons come from here, as /24s: clear of the defaults and of other tests' fixed subnets. */
const BASE = [10, 160];
const BLOCKS = 16 * 256;

/** `{ bridge, bip }` for a test daemon on `dir`: `berth-d<8 hex>`, and a /24 of 10.160.0.0/12 no other link routes. */
export function testNetwork(dir: string): { bridge: string; bip: string } {
  const hash = createHash('sha256').update(dir).digest();
  const bridge = `berth-d${hash.subarray(0, 4).toString('hex')}`;
  let routes: Array<{ cidr: string; dev: string }> = [];
  try {
    routes = parseProcRoute(readFileSync('/proc/net/route', 'utf8')).filter((r) => r.dev !== bridge && !r.cidr.endsWith('/0'));
  } catch {
    // No /proc/net/route (not Linux): nothing to avoid.
  }
  const start = hash.readUInt32BE(4) % BLOCKS;
  for (let i = 0; i < BLOCKS; i++) {
    const block = (start + i) % BLOCKS;
    const subnet = `${BASE[0]}.${BASE[1]! + (block >> 8)}.${block & 255}.0/24`;
    if (!routes.some((r) => overlaps(parseCidr(r.cidr, false), parseCidr(subnet)))) return { bridge, bip: subnet.replace('.0/24', '.1/24') };
  }
  throw new Error('testNetwork: every /24 of 10.160.0.0/12 is routed');
}

/** testNetwork as `berth daemon` flags. */
export function testNetworkFlags(dir: string): string[] {
  const own = testNetwork(dir);
  return ['--bridge', own.bridge, '--bip', own.bip];
}
