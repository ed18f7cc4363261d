/** Network and endpoint records, persisted in the engine's level database (networks written with sync). */
import { writeLazy, writeSync, type Db, type Sub } from './db.js';
import type { PortBinding } from './ports.js';

/** A bridge network. Field names follow Docker's Network where they have a counterpart. */
export interface NetworkRecord {
  /** 64 hex characters. */
  Id: string;
  Name: string;
  /** The bridge interface: berth0 for the default network, br-<id12> for user networks. */
  bridge: string;
  subnet: string;
  gateway: string;
  ipRange: string | null;
  internal: boolean;
  /** Inter-container communication on this network. */
  icc: boolean;
  mtu: number;
  Labels: Record<string, string>;
  Options: Record<string, string>;
  /** RFC 3339. */
  Created: string;
  /** The default `bridge` network. */
  isDefault: boolean;
}

/** A published port after the host port was reserved. */
export type PublishedPort = PortBinding;

/** A container's attachment to a network. */
export interface EndpointRecord {
  /** 64 hex characters. */
  id: string;
  networkId: string;
  containerId: string;
  /** The container's name (without '/'), for name resolution (embedded DNS, issue 6). */
  containerName: string;
  aliases: string[];
  ip: string;
  prefixLen: number;
  /** Null on internal networks (no default route). */
  gateway: string | null;
  mac: string;
  /** The veth end on the host, enslaved to the bridge. */
  hostVeth: string;
  /** The interface name inside the container. */
  ifName: string;
  ports: PublishedPort[];
  /** The container's own nameservers (HostConfig.Dns): the embedded DNS forwards its queries there instead of the host's. */
  dns?: string[];
}

/** The two record kinds, each in its own sublevel. */
export class NetworkStore {
  readonly networks: Sub<NetworkRecord>;
  readonly endpoints: Sub<EndpointRecord>;

  constructor(private readonly db: Db) {
    this.networks = db.sublevel<string, NetworkRecord>('networks', { valueEncoding: 'json' });
    this.endpoints = db.sublevel<string, EndpointRecord>('network-endpoints', { valueEncoding: 'json' });
  }

  /** Every network and endpoint. */
  async load(): Promise<{ networks: NetworkRecord[]; endpoints: EndpointRecord[] }> {
    return { networks: await this.networks.values().all(), endpoints: await this.endpoints.values().all() };
  }

  putNetwork(n: NetworkRecord): Promise<void> {
    return writeSync(this.db, this.networks, [{ type: 'put', key: n.Id, value: n }]);
  }

  delNetwork(id: string): Promise<void> {
    return writeSync(this.db, this.networks, [{ type: 'del', key: id }]);
  }

  /** Not synced: a machine crash takes the container's network with it; start-up repairs (writeLazy). */
  putEndpoint(e: EndpointRecord): Promise<void> {
    return writeLazy(this.db, this.endpoints, [{ type: 'put', key: e.id, value: e }]);
  }

  /** Not synced: an endpoint a machine crash brings back belongs to a dead container; start-up drops it. */
  delEndpoint(id: string): Promise<void> {
    return writeLazy(this.db, this.endpoints, [{ type: 'del', key: id }]);
  }
}
