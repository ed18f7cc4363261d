/**
 * IPAM: per-network IPv4 address allocation, persisted in the engine's level database. Every change
 * is written with `sync: true` before it is returned, so an address handed out is never handed out
 * again after a crash. Dynamic allocation goes round the pool from a persisted cursor (as Docker's
 * bitmap does), so a just-released address is reused last, not first.
 */
import { conflict, invalidParameter, notFound, unavailable } from '../../protocol/errdefs.js';
import { writeLazy, writeSync, type Db, type Sub } from './db.js';
import { contains, formatCidr, formatIp, last, parseCidr, parseIp, type Cidr } from './ipv4.js';


/** The owner recorded for a network's gateway address. */
export const GATEWAY_OWNER = 'gateway';

/** A network's address pool. */
export interface PoolSpec {
  /** "10.88.0.0/16". */
  subnet: string;
  /** Reserved for the bridge. */
  gateway: string;
  /** Dynamic addresses come from here ("10.88.1.0/24"), else from the whole subnet. */
  ipRange?: string | null;
}

interface Pool {
  subnet: Cidr;
  range: Cidr;
  /** address → owner (an endpoint id, or GATEWAY_OWNER). */
  used: Map<number, string>;
  cursor: number;
}

const hex = (ip: number) => ip.toString(16).padStart(8, '0');

/** Address allocation for every network. Not safe for concurrent callers: the driver serialises. */
export class Ipam {
  private readonly store: Sub<string>;
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly db: Db) {
    this.store = db.sublevel<string, string>('network-ipam', { valueEncoding: 'utf8' });
  }

  /** Loads the pools of `specs` (network id → pool) and their allocations from the database. */
  async open(specs: Map<string, PoolSpec>): Promise<void> {
    for (const [id, spec] of specs) this.pools.set(id, this.makePool(spec));
    for await (const [key, value] of this.store.iterator()) {
      const [kind, id, rest] = key.split('/');
      const pool = this.pools.get(id ?? '');
      if (!pool || rest === undefined) continue;
      if (kind === 'a') pool.used.set(parseInt(rest, 16), value);
      if (kind === 'c') pool.cursor = parseInt(value, 16);
    }
  }

  private makePool(spec: PoolSpec): Pool {
    const subnet = parseCidr(spec.subnet);
    if (subnet.prefixLen > 30) throw invalidParameter(`subnet ${spec.subnet} is too small: a bridge network needs /30 or larger`);
    const range = spec.ipRange ? parseCidr(spec.ipRange) : subnet;
    if (range.base < subnet.base || last(range) > last(subnet)) {
      throw invalidParameter(`ip-range ${spec.ipRange} is not inside subnet ${spec.subnet}`);
    }
    const gw = parseIp(spec.gateway);
    if (!this.usable(subnet, gw)) throw invalidParameter(`gateway ${spec.gateway} is not a host address of subnet ${spec.subnet}`);
    return { subnet, range, used: new Map(), cursor: range.base };
  }

  private usable(subnet: Cidr, ip: number): boolean {
    return contains(subnet, ip) && ip !== subnet.base && ip !== last(subnet);
  }

  /** Adds a network's pool and reserves its gateway. */
  async addPool(id: string, spec: PoolSpec): Promise<void> {
    const pool = this.makePool(spec);
    this.pools.set(id, pool);
    const gw = parseIp(spec.gateway);
    pool.used.set(gw, GATEWAY_OWNER);
    await writeSync(this.db, this.store, [{ type: 'put', key: `a/${id}/${hex(gw)}`, value: GATEWAY_OWNER }]);
  }

  /** Forgets a network's pool and every allocation in it. */
  async removePool(id: string): Promise<void> {
    const pool = this.pools.get(id);
    this.pools.delete(id);
    if (!pool) return;
    const ops = [...pool.used.keys()].map((ip) => ({ type: 'del' as const, key: `a/${id}/${hex(ip)}` }));
    ops.push({ type: 'del', key: `c/${id}/cursor` });
    await writeSync(this.db, this.store, ops);
  }

  private pool(id: string): Pool {
    const pool = this.pools.get(id);
    if (!pool) throw notFound(`ipam: no address pool for network ${id}`);
    return pool;
  }

  /**
   * Allocates an address for `owner`: `ip` when given (Conflict when taken, InvalidParameter when
   * outside the subnet), else the next free one of the range (Unavailable when none is left).
   */
  async allocate(id: string, owner: string, ip?: string): Promise<string> {
    const pool = this.pool(id);
    const picked = ip === undefined ? this.next(pool, id) : this.check(pool, ip);
    pool.used.set(picked, owner);
    const ops = [{ type: 'put' as const, key: `a/${id}/${hex(picked)}`, value: owner }];
    if (ip === undefined) {
      pool.cursor = picked + 1 > last(pool.range) ? pool.range.base : picked + 1;
      ops.push({ type: 'put', key: `c/${id}/cursor`, value: hex(pool.cursor) });
    }
    await writeLazy(this.db, this.store, ops); // a container's: see writeLazy
    return formatIp(picked);
  }

  private check(pool: Pool, ip: string): number {
    const n = parseIp(ip);
    if (!this.usable(pool.subnet, n)) throw invalidParameter(`address ${ip} is not a host address of subnet ${formatCidr(pool.subnet)}`);
    if (pool.used.has(n)) throw conflict(`Address already in use: ${ip}`);
    return n;
  }

  private next(pool: Pool, id: string): number {
    const { range } = pool;
    const span = last(range) - range.base + 1;
    for (let i = 0; i < span; i++) {
      const n = range.base + ((pool.cursor - range.base + i) % span);
      if (this.usable(pool.subnet, n) && !pool.used.has(n)) return n;
    }
    throw unavailable(`no available IPv4 addresses on network ${id}: ${formatCidr(range)} is exhausted`);
  }

  /** Releases an address; releasing a free one is a no-op. The gateway is never released here. */
  async release(id: string, ip: string): Promise<void> {
    const pool = this.pools.get(id);
    const n = parseIp(ip);
    if (!pool || !pool.used.has(n) || pool.used.get(n) === GATEWAY_OWNER) return;
    pool.used.delete(n);
    // Not synced: an address whose release a machine crash loses has no owner, and start-up frees it.
    await writeLazy(this.db, this.store, [{ type: 'del', key: `a/${id}/${hex(n)}` }]);
  }

  /** The allocations of a network: address → owner. */
  allocations(id: string): Map<string, string> {
    const pool = this.pools.get(id);
    return new Map([...(pool?.used ?? new Map<number, string>())].map(([ip, owner]) => [formatIp(ip), owner]));
  }
}
