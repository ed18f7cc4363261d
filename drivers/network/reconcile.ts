/**
 * What the driver does at start-up, after a clean stop or a crash: adopt or recreate every bridge,
 * drop endpoints whose veth or container is gone, delete berth veths nobody owns, release addresses
 * nobody holds, hold published ports again, and rebuild the nft table in one transaction.
 */
import type { NetworkBackend, PortReservation } from './backend.js';
import type { NetworkConfig } from './types.js';
import { GATEWAY_OWNER, type Ipam } from './ipam.js';
import { parseCidr } from './ipv4.js';
import * as nft from './nft.js';
import type { EndpointRecord, NetworkRecord, NetworkStore } from './store.js';

/** The prefix of every host-side veth berth creates (vethb + 10 hex = 15 bytes). */
export const HOST_VETH_PREFIX = 'vethb';

/** What reconcile needs. */
export interface ReconcileInput {
  /** The daemon's nft table: the only one reconcile rebuilds. */
  table: string;
  store: NetworkStore;
  ipam: Ipam;
  backend: NetworkBackend;
  config: NetworkConfig;
  /** Whether a container still runs; absent: every container whose veth exists counts as alive. */
  live?: ((containerId: string) => boolean) | undefined;
  /** A fresh default network record, used when the database has none. */
  defaultNetwork: () => NetworkRecord;
}

/** The state the driver runs with afterwards. */
export interface ReconciledState {
  networks: NetworkRecord[];
  endpoints: EndpointRecord[];
  reservations: Map<string, PortReservation[]>;
}

/** Brings kernel and database into agreement; see the module comment. */
export async function reconcile(input: ReconcileInput): Promise<ReconciledState> {
  const { store, ipam, backend } = input;
  const log = input.config.log ?? (() => undefined);
  const loaded = await store.load();
  const networks = await withDefault(input, loaded.networks);
  await ipam.open(new Map(networks.map((n) => [n.Id, n])));
  for (const n of networks) {
    if (!loaded.networks.some((l) => l.Id === n.Id)) await ipam.addPool(n.Id, n);
    await bridge(backend, n, log);
  }
  const endpoints: EndpointRecord[] = [];
  for (const ep of loaded.endpoints) {
    const known = networks.some((n) => n.Id === ep.networkId);
    const veth = known ? await backend.link(ep.hostVeth) : null;
    if (veth && (input.live?.(ep.containerId) ?? true)) {
      endpoints.push(ep);
      continue;
    }
    log(`network: dropping endpoint ${ep.id.slice(0, 12)} of container ${ep.containerId.slice(0, 12)} (container or veth gone)`);
    if (veth) await backend.deleteLink(ep.hostVeth);
    await ipam.release(ep.networkId, ep.ip);
    await store.delEndpoint(ep.id);
  }
  await dropStaleVeths(backend, networks, endpoints, log);
  await releaseOrphans(ipam, networks, endpoints);
  const reservations = await holdPorts(backend, endpoints, store, log);
  const ports = endpoints.flatMap((ep) => ep.ports.map((p) => ({ ...p, containerIp: ep.ip })));
  await backend.nft(networks.length > 0 ? nft.rebuild(input.table, networks, ports) : nft.dropTable(input.table));
  return { networks, endpoints, reservations };
}

/** The stored networks, with the default one added (or updated from the config while unused). */
async function withDefault(input: ReconcileInput, stored: NetworkRecord[]): Promise<NetworkRecord[]> {
  const fresh = input.defaultNetwork();
  const old = stored.find((n) => n.isDefault);
  if (old && old.subnet === fresh.subnet && old.gateway === fresh.gateway && old.bridge === fresh.bridge && old.ipRange === fresh.ipRange) return stored;
  const loaded = await input.store.load();
  if (old && loaded.endpoints.some((e) => e.networkId === old.Id)) {
    input.config.log?.(`network: keeping the default network's old settings (${old.subnet}) while containers use it`);
    return stored;
  }
  if (old) {
    await input.ipam.removePool(old.Id);
    await input.store.delNetwork(old.Id);
    if (old.bridge !== fresh.bridge || old.subnet !== fresh.subnet) await input.backend.deleteLink(old.bridge);
  }
  await input.store.putNetwork(fresh);
  return [...stored.filter((n) => n !== old), fresh];
}

async function bridge(backend: NetworkBackend, n: NetworkRecord, log: (m: string) => void): Promise<void> {
  const cidr = `${n.gateway}/${parseCidr(n.subnet).prefixLen}`;
  const link = await backend.link(n.bridge);
  if (link && link.kind !== 'bridge') throw new Error(`network ${n.Name}: ${n.bridge} exists and is not a bridge`);
  if (link) {
    log(`network: adopting bridge ${n.bridge} of network ${n.Name}`);
    await backend.adoptBridge(n.bridge, cidr);
  } else {
    await backend.createBridge(n.bridge, cidr, n.mtu);
  }
  await backend.allowForward(n.bridge);
}

async function dropStaleVeths(backend: NetworkBackend, networks: NetworkRecord[], endpoints: EndpointRecord[], log: (m: string) => void): Promise<void> {
  const bridges = new Set<number>();
  for (const n of networks) {
    const l = await backend.link(n.bridge);
    if (l) bridges.add(l.index);
  }
  const owned = new Set(endpoints.map((e) => e.hostVeth));
  for (const l of await backend.links(HOST_VETH_PREFIX)) {
    if (l.kind !== 'veth' || owned.has(l.name) || l.master === null || !bridges.has(l.master)) continue;
    log(`network: deleting stale veth ${l.name}`);
    await backend.deleteLink(l.name);
  }
}

async function releaseOrphans(ipam: Ipam, networks: NetworkRecord[], endpoints: EndpointRecord[]): Promise<void> {
  const ids = new Set(endpoints.map((e) => e.id));
  for (const n of networks) {
    for (const [ip, owner] of ipam.allocations(n.Id)) {
      if (owner !== GATEWAY_OWNER && !ids.has(owner)) await ipam.release(n.Id, ip);
    }
  }
}

/** Holds every endpoint's host ports again; a port taken meanwhile is dropped from its endpoint. */
async function holdPorts(backend: NetworkBackend, endpoints: EndpointRecord[], store: NetworkStore, log: (m: string) => void): Promise<Map<string, PortReservation[]>> {
  const out = new Map<string, PortReservation[]>();
  for (const ep of endpoints) {
    const held: PortReservation[] = [];
    const kept = [];
    for (const p of ep.ports) {
      try {
        held.push(await backend.reservePort(p.proto, p.hostIp, p.hostPort));
        kept.push(p);
      } catch (e) {
        log(`network: endpoint ${ep.id.slice(0, 12)} loses published port ${p.hostPort}/${p.proto}: ${(e as Error).message}`);
      }
    }
    if (kept.length !== ep.ports.length) {
      ep.ports = kept;
      await store.putEndpoint(ep);
    }
    out.set(ep.id, held);
  }
  return out;
}
