/**
 * The network driver: bridge networks, their IPAM, container endpoints (veth pairs), published
 * ports and firewall rules, over a NetworkBackend. Records live in the engine's level database, so
 * a restarted daemon adopts its bridges and endpoints (see reconcile.ts). Every public method runs
 * alone (calls queue), so the driver is safe under a concurrent service or direct use.
 */
import { randomBytes } from 'node:crypto';
import type { Level } from 'level';

import { conflict, forbidden, invalidParameter, notFound } from '../../protocol/errdefs.js';
import type { NetworkBackend, PortReservation, Sandbox } from './backend.js';
import { endpointInfo, firstFreeIfName, macFor, natPorts } from './endpoint.js';
import { Ipam } from './ipam.js';
import { Unlinking } from './unlinking.js';
import { overlaps, parseCidr } from './ipv4.js';
import * as nft from './nft.js';
import { PortAllocator } from './portalloc.js';
import type { PortBinding } from './ports.js';
import { reconcile } from './reconcile.js';
import { NetworkStore, type EndpointRecord, type NetworkRecord } from './store.js';
import { DEFAULT_POOLS, firstHost, pickSubnet } from './subnets.js';
import type { ConnectRequest, CreateNetwork, EndpointInfo, NetworkConfig } from './types.js';

export type { ConnectRequest, CreateNetwork, EndpointInfo, NetworkConfig } from './types.js';

const ICC_OPTION = 'com.docker.network.bridge.enable_icc';
const MTU_OPTION = 'com.docker.network.driver.mtu';

/** The network driver. Construct, then `start()` before anything else. */
export class NetworkDriver {
  readonly store: NetworkStore;
  readonly ipam: Ipam;
  /** This daemon's nft table (one per default bridge, so daemons side by side keep apart). */
  readonly table: string;
  private readonly ports: PortAllocator;
  private readonly unlinking = new Unlinking();
  private networks = new Map<string, NetworkRecord>();
  private endpoints = new Map<string, EndpointRecord>();
  private reservations = new Map<string, PortReservation[]>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(db: Level<string, unknown>, readonly backend: NetworkBackend, readonly config: NetworkConfig = {}) {
    this.store = new NetworkStore(db);
    this.ipam = new Ipam(db);
    this.table = nft.tableFor(config.defaultBridge ?? 'berth0');
    this.ports = new PortAllocator(backend, config.dynamicPorts);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Loads state, creates or adopts every bridge, drops stale endpoints and veths, rebuilds the rules. */
  start(live?: (containerId: string) => boolean): Promise<void> {
    return this.serial(async () => {
      const state = await reconcile({ table: this.table, store: this.store, ipam: this.ipam, backend: this.backend, config: this.config, live, defaultNetwork: () => this.defaultRecord() });
      this.networks = new Map(state.networks.map((n) => [n.Id, n]));
      this.endpoints = new Map(state.endpoints.map((e) => [e.id, e]));
      this.reservations = state.reservations;
    });
  }

  private defaultRecord(): NetworkRecord {
    const subnet = this.config.defaultSubnet ?? '10.88.0.0/16';
    return {
      Id: randomBytes(32).toString('hex'), Name: 'bridge', bridge: this.config.defaultBridge ?? 'berth0', subnet,
      gateway: this.config.defaultGateway ?? firstHost(subnet), ipRange: this.config.defaultIpRange ?? null,
      internal: false, icc: this.config.icc ?? true, mtu: this.config.mtu ?? 1500, Labels: {}, Options: {},
      Created: new Date().toISOString(), isDefault: true,
    };
  }

  /** Every network. */
  list(): NetworkRecord[] {
    return [...this.networks.values()];
  }

  /** A network by id, unique id prefix or name; NotFound otherwise. */
  network(ref: string): NetworkRecord {
    const all = this.list();
    const hit = all.find((n) => n.Id === ref) ?? all.find((n) => n.Name === ref);
    if (hit) return hit;
    const byPrefix = all.filter((n) => ref.length > 0 && n.Id.startsWith(ref));
    if (byPrefix.length === 1) return byPrefix[0]!;
    throw notFound(`network ${ref} not found`);
  }

  /** Endpoints, all or of one network. */
  endpointsOf(networkId?: string): EndpointRecord[] {
    return [...this.endpoints.values()].filter((e) => networkId === undefined || e.networkId === networkId);
  }

  /** Creates a user-defined bridge network (bridge br-<id12>). */
  createNetwork(req: CreateNetwork): Promise<NetworkRecord> {
    return this.serial(async () => {
      if (this.list().some((n) => n.Name === req.name)) throw conflict(`network with name ${req.name} already exists`);
      const id = randomBytes(32).toString('hex');
      const subnet = req.subnet ?? pickSubnet(this.config.pools ?? DEFAULT_POOLS, await this.takenSubnets());
      for (const n of this.list()) {
        if (req.subnet && overlap(n.subnet, subnet)) throw conflict(`invalid pool request: Pool overlaps with other one on this address space (${n.Name} has ${n.subnet})`);
      }
      const options = req.options ?? {};
      const mtu = options[MTU_OPTION] ? Number(options[MTU_OPTION]) : (this.config.mtu ?? 1500);
      if (!Number.isInteger(mtu) || mtu < 68) throw invalidParameter(`invalid MTU ${options[MTU_OPTION]}`);
      const rec: NetworkRecord = {
        Id: id, Name: req.name, bridge: `br-${id.slice(0, 12)}`, subnet, gateway: req.gateway ?? firstHost(subnet),
        ipRange: req.ipRange ?? null, internal: req.internal ?? false, icc: (req.icc ?? true) && options[ICC_OPTION] !== 'false',
        mtu, Labels: req.labels ?? {}, Options: options, Created: new Date().toISOString(), isDefault: false,
      };
      await this.setUp(rec);
      return rec;
    });
  }

  private async takenSubnets(): Promise<string[]> {
    const routes = (await this.backend.routes()).filter((r) => !r.cidr.endsWith('/0')).map((r) => r.cidr);
    return [...this.list().map((n) => n.subnet), ...routes];
  }

  /** IPAM, bridge, forward permission, rules, record; undone in reverse on failure. */
  private async setUp(rec: NetworkRecord): Promise<void> {
    const undo: Array<() => Promise<unknown>> = [];
    try {
      await this.ipam.addPool(rec.Id, rec);
      undo.push(() => this.ipam.removePool(rec.Id));
      await this.backend.createBridge(rec.bridge, `${rec.gateway}/${parseCidr(rec.subnet).prefixLen}`, rec.mtu);
      undo.push(() => this.backend.deleteLink(rec.bridge));
      await this.backend.allowForward(rec.bridge);
      undo.push(() => this.backend.disallowForward(rec.bridge));
      const first = this.networks.size === 0;
      await this.backend.nft(first ? nft.rebuild(this.table, [rec], []) : nft.addNetwork(this.table, rec));
      undo.push(() => this.backend.nft(first ? nft.dropTable(this.table) : nft.removeNetwork(this.table, rec.bridge)));
      await this.store.putNetwork(rec);
      this.networks.set(rec.Id, rec);
    } catch (e) {
      for (const u of undo.reverse()) await u().catch(() => undefined);
      throw e;
    }
  }

  /** Removes a user network: Forbidden for the default one, Conflict while containers use it. */
  removeNetwork(ref: string): Promise<void> {
    return this.serial(async () => {
      const rec = this.network(ref);
      if (rec.isDefault) throw forbidden(`${rec.Name} is a pre-defined network and cannot be removed`);
      if (this.endpointsOf(rec.Id).length > 0) throw conflict(`error while removing network: network ${rec.Name} id ${rec.Id} has active endpoints`);
      await this.tearDown(rec);
    });
  }

  private async tearDown(rec: NetworkRecord): Promise<void> {
    await this.unlinking.all(); // its pool goes: no release may come after
    await this.backend.nft(this.networks.size === 1 ? nft.dropTable(this.table) : nft.removeNetwork(this.table, rec.bridge));
    await this.backend.disallowForward(rec.bridge);
    await this.backend.deleteLink(rec.bridge);
    await this.ipam.removePool(rec.Id);
    await this.store.delNetwork(rec.Id);
    this.networks.delete(rec.Id);
  }

  /** Connects a container: address, veth pair, its end configured in the container, ports published. */
  connect(req: ConnectRequest): Promise<EndpointInfo> {
    return this.serial(() => this.doConnect(req));
  }

  private async doConnect(req: ConnectRequest): Promise<EndpointInfo> {
    const net = this.network(req.network);
    const mine = this.endpointsOf().filter((e) => e.containerId === req.containerId);
    if (mine.some((e) => e.networkId === net.Id)) throw conflict(`endpoint with name ${req.containerName} already exists in network ${net.Name}`);
    const id = randomBytes(32).toString('hex');
    const ifName = req.ifName ?? firstFreeIfName(mine.map((e) => e.ifName));
    const undo: Array<() => Promise<unknown>> = [];
    const held: PortReservation[] = [];
    try {
      const ip = await this.ipam.allocate(net.Id, id, req.ip);
      undo.push(() => this.ipam.release(net.Id, ip));
      const ports: PortBinding[] = [];
      for (const p of req.ports ?? []) {
        const r = await this.ports.reserve(p);
        held.push(r);
        undo.push(() => r.release());
        ports.push({ proto: p.proto, hostIp: p.hostIp, hostPort: r.port, containerPort: p.containerPort });
      }
      const prefixLen = parseCidr(net.subnet).prefixLen;
      const gateway = net.internal ? null : net.gateway;
      const hostVeth = `vethb${id.slice(0, 10)}`;
      const iface = { name: `vethc${id.slice(0, 10)}`, ifName, cidr: `${ip}/${prefixLen}`, mac: macFor(ip), mtu: net.mtu, gateway: req.defaultRoute === false ? null : gateway };
      await this.backend.plug(hostVeth, net.bridge, !net.icc, req.netns, iface);
      undo.push(() => this.backend.deleteLink(hostVeth));
      const rec: EndpointRecord = {
        id, networkId: net.Id, containerId: req.containerId, containerName: req.containerName, aliases: req.aliases ?? [],
        ip, prefixLen, gateway, mac: iface.mac, hostVeth, ifName, ports,
        ...(req.dns?.length ? { dns: req.dns } : {}),
      };
      if (ports.length > 0) {
        await this.backend.nft(nft.addPorts(this.table, natPorts(rec)));
        undo.push(() => this.backend.nft(nft.removePorts(this.table, natPorts(rec))));
      }
      await this.store.putEndpoint(rec);
      this.endpoints.set(id, rec);
      this.reservations.set(id, held);
      return endpointInfo(rec);
    } catch (e) {
      for (const u of undo.reverse()) await u().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Disconnects a container from a network: rules, veth, ports and address go. With `lingering`
   * (the container has exited) the veth's deletion finishes after this returns, its address is
   * released after that, and `settled` tells when both are done.
   */
  disconnect(containerId: string, network: string, opts: { lingering?: boolean } = {}): Promise<void> {
    return this.serial(async () => {
      const net = this.network(network);
      const ep = this.endpointsOf(net.Id).find((e) => e.containerId === containerId);
      if (!ep) throw notFound(`container ${containerId} is not connected to network ${net.Name}`);
      await this.dropEndpoint(ep, opts.lingering);
    });
  }

  /** A network namespace for a container about to start (see NetworkBackend.sandbox). */
  sandbox(): Promise<Sandbox> {
    return this.backend.sandbox();
  }

  /** Lets go of a sandbox: once the container's process has joined it, or the start failed. */
  closeSandbox(s: Sandbox): void {
    this.backend.closeSandbox(s);
  }

  /** Resolves once every veth deletion of the container's endpoints is over. */
  settled(containerId: string): Promise<void> {
    return this.unlinking.settled(containerId);
  }

  private async dropEndpoint(ep: EndpointRecord, lingering = false): Promise<void> {
    if (ep.ports.length > 0) await this.backend.nft(nft.removePorts(this.table, natPorts(ep)));
    for (const r of this.reservations.get(ep.id) ?? []) await r.release();
    this.reservations.delete(ep.id);
    await this.store.delEndpoint(ep.id);
    this.endpoints.delete(ep.id);
    // The address only once the veth is gone: until then the peer could still answer for it.
    const unlinked = lingering ? this.backend.releaseLink(ep.hostVeth) : this.backend.deleteLink(ep.hostVeth);
    const gone = unlinked.then(() => this.ipam.release(ep.networkId, ep.ip));
    if (!lingering) return gone;
    this.unlinking.track(ep.containerId, gone.catch(() => undefined)); // start-up deletes a veth left on our bridge
  }

  /**
   * Daemon shutdown: the nft table and the port holds go (start() rebuilds them), bridges and
   * endpoints stay for live containers (`removeBridges` when there are none). With `removeAll`,
   * endpoints and networks go too (tests).
   */
  shutdown(opts: { removeAll?: boolean; removeBridges?: boolean } = {}): Promise<void> {
    return this.serial(async () => {
      await this.unlinking.all();
      if (opts.removeAll) {
        for (const ep of this.endpointsOf()) await this.dropEndpoint(ep);
        for (const n of this.list()) await this.tearDown(n);
        return;
      }
      await this.backend.nft(nft.dropTable(this.table));
      for (const n of this.list()) await this.backend.disallowForward(n.bridge);
      for (const held of this.reservations.values()) for (const r of held) await r.release();
      this.reservations.clear();
      // No container left running: the bridges go too (start() makes them again from the records),
      // so a stopped daemon leaves no link behind.
      if (opts.removeBridges) for (const n of this.list()) await this.backend.deleteLink(n.bridge).catch(() => undefined);
    });
  }
}

function overlap(a: string, b: string): boolean {
  return overlaps(parseCidr(a, false), parseCidr(b, false));
}
