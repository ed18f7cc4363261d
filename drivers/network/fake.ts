/**
 * A NetworkBackend in memory, for tests without root. A FakeKernel holds links, namespaces, the
 * nft tables (by name, as daemons side by side have their own) and held ports; several FakeBackends may share one (a restarted daemon). nft scripts are
 * interpreted for the statements nft.ts writes, atomically, and fail as nft would (deleting an
 * element or chain that is not there), so the driver's rule bookkeeping is checked without nft.
 */
import { conflict, system } from '../../protocol/errdefs.js';
import type { BackendLink, ContainerInterface, NetnsRef, NetworkBackend, PortReservation, Sandbox } from './backend.js';
import { DEFAULT_TABLE } from './nft.js';
import { hostAddress } from './ports.js';

/** A link and where it is ('' is the host). */
export interface FakeLink extends BackendLink {
  netns: string;
  addresses: string[];
  /** The index of the other end of a veth. */
  peer: number | null;
  isolated: boolean;
}

/** The nft state the fake keeps. */
export interface FakeTable {
  chains: Map<string, string[]>;
  maps: Map<string, Map<string, string>>;
}

/** The fake machine. */
export class FakeKernel {
  links: FakeLink[] = [];
  /** nft tables by name ("inet berth"). */
  tables = new Map<string, FakeTable>();
  scripts: string[] = [];
  ports = new Map<string, string>();
  routes: Array<{ cidr: string; dev: string }> = [{ cidr: '0.0.0.0/0', dev: 'eth0' }];
  forwardAllowed = new Set<string>();
  /** The number of the next sandbox (a fake namespace file). */
  nextSandbox = 1;
  private nextIndex = 10;
  private nextPort = 40000;

  /** Links in namespace `ns` ('' for the host). */
  inNetns(ns: string): FakeLink[] {
    return this.links.filter((l) => l.netns === ns);
  }

  add(l: Omit<FakeLink, 'index' | 'mac' | 'up' | 'master' | 'addresses' | 'peer' | 'isolated'> & Partial<FakeLink>): FakeLink {
    const index = this.nextIndex++;
    const link: FakeLink = { index, mac: `02:00:00:00:00:${(index % 256).toString(16).padStart(2, '0')}`, up: false, master: null, addresses: [], peer: null, isolated: false, ...l };
    this.links.push(link);
    return link;
  }

  /** The namespace dies: its links go, and veth peers with them. */
  killNetns(ns: string): void {
    const gone = new Set(this.inNetns(ns).flatMap((l) => [l.index, l.peer ?? -1]));
    this.links = this.links.filter((l) => l.netns !== ns && !gone.has(l.index));
  }

  /** Something else on the host takes a port. */
  occupy(proto: 'tcp' | 'udp', hostIp: string, port: number): void {
    this.ports.set(`${proto}/${hostIp || '0.0.0.0'}/${port}`, 'other');
  }

  takePort(proto: 'tcp' | 'udp', hostIp: string, port: number): number {
    const ip = hostIp || '0.0.0.0';
    const chosen = port === 0 ? this.nextPort++ : port;
    const clash = [...this.ports.keys()].some((k) => {
      const [p, i, n] = k.split('/');
      return p === proto && Number(n) === chosen && (i === ip || i === '0.0.0.0' || ip === '0.0.0.0');
    });
    if (clash) throw conflict(`Bind for ${hostAddress({ hostIp, hostPort: chosen })} failed: port is already allocated`);
    this.ports.set(`${proto}/${ip}/${chosen}`, 'berth');
    return chosen;
  }

  /** The default daemon's table (`inet berth`); setting null deletes it. */
  get table(): FakeTable | null {
    return this.tables.get(DEFAULT_TABLE) ?? null;
  }

  set table(t: FakeTable | null) {
    if (t) this.tables.set(DEFAULT_TABLE, t);
    else this.tables.delete(DEFAULT_TABLE);
  }

  /** Applies a script all or nothing. */
  nft(script: string): void {
    const copy = (t: FakeTable): FakeTable => ({ chains: new Map([...t.chains].map(([k, v]) => [k, [...v]])), maps: new Map([...t.maps].map(([k, v]) => [k, new Map(v)])) });
    const tables = new Map([...this.tables].map(([name, t]) => [name, copy(t)]));
    for (const line of script.split('\n').filter((l) => l.trim() !== '')) apply(tables, line);
    this.tables = tables;
    this.scripts.push(script);
  }
}

function apply(tables: Map<string, FakeTable>, line: string): void {
  const m = /^(add|delete|flush) (table|chain|rule|map|element) (inet \S+) ?(\S*)\s*(.*)$/.exec(line);
  if (!m) throw system(`nft (fake): cannot parse ${line}`);
  const [, verb, what, table = '', name = '', rest = ''] = m;
  if (what === 'table') {
    if (verb === 'add') tables.set(table, tables.get(table) ?? { chains: new Map(), maps: new Map() });
    else if (!tables.delete(table)) throw system(`nft (fake): No such file or directory: table ${table} (${line})`);
    return;
  }
  const t = tables.get(table);
  if (!t) throw system(`nft (fake): No such file or directory: table ${table} (${line})`);
  const missing = () => system(`nft (fake): No such file or directory (${line})`);
  if (what === 'chain') {
    if (verb === 'add') t.chains.set(name, t.chains.get(name) ?? []);
    else if (!t.chains.has(name)) throw missing();
    else if (verb === 'flush') t.chains.set(name, []);
    else if (t.chains.get(name)!.length > 0) throw system(`nft (fake): Device or resource busy (${line})`);
    else t.chains.delete(name);
  } else if (what === 'rule') {
    if (!t.chains.has(name)) throw missing();
    t.chains.get(name)!.push(rest);
  } else if (what === 'map') {
    if (!t.maps.has(name)) t.maps.set(name, new Map());
  } else {
    const map = t.maps.get(name);
    const body = /^\{ (.*) \}$/.exec(rest)?.[1];
    if (!map || body === undefined) throw missing();
    const [key, value = ''] = body.split(' : ');
    if (verb === 'add') {
      if (value.startsWith('jump ') && !t.chains.has(value.slice(5))) throw missing();
      map.set(key!, value);
    } else if (!map.delete(key!)) throw missing();
  }
}

const pathOf = (ref: NetnsRef) => ('path' in ref ? ref.path : `/proc/${ref.pid}/ns/net`);

/** The fake backend over a FakeKernel. */
export class FakeBackend implements NetworkBackend {
  readonly name = 'fake';
  constructor(readonly kernel = new FakeKernel()) {}

  private host(name: string): FakeLink | undefined {
    return this.kernel.inNetns('').find((l) => l.name === name);
  }

  async link(name: string): Promise<BackendLink | null> {
    const l = this.host(name);
    return l ? { name: l.name, index: l.index, kind: l.kind, master: l.master, up: l.up, mac: l.mac, mtu: l.mtu } : null;
  }

  async links(prefix: string): Promise<BackendLink[]> {
    const all = await Promise.all(this.kernel.inNetns('').filter((l) => l.name.startsWith(prefix)).map((l) => this.link(l.name)));
    return all.filter((l): l is BackendLink => l !== null);
  }

  async createBridge(name: string, cidr: string, mtu = 1500): Promise<void> {
    if (this.host(name)) throw system(`bridge create '${name}' failed: EEXIST: file already exists, RTM_NEWLINK '${name}'`);
    this.kernel.add({ name, kind: 'bridge', mtu, netns: '', up: true, addresses: [cidr] });
  }

  async adoptBridge(name: string, cidr: string): Promise<void> {
    const l = this.host(name)!;
    if (!l.addresses.includes(cidr)) l.addresses.push(cidr);
    l.up = true;
  }

  async deleteLink(name: string): Promise<void> {
    const l = this.host(name);
    if (!l) return;
    this.kernel.links = this.kernel.links.filter((x) => x !== l && x.index !== l.peer);
  }

  async sandbox(): Promise<Sandbox> {
    const fd = this.kernel.nextSandbox++;
    return { path: `/fake/netns/${fd}`, fd };
  }

  closeSandbox(): void {}

  releaseLink(name: string): Promise<void> {
    return this.deleteLink(name);
  }

  async plug(host: string, bridge: string, isolated: boolean, netns: NetnsRef, iface: ContainerInterface): Promise<void> {
    const br = this.host(bridge);
    if (!br) throw system(`link set '${host}' failed: ENODEV: no such device, RTM_GETLINK '${bridge}'`);
    // Every namespace has a lo; other names clash with what was plugged before.
    if (iface.ifName === 'lo' || this.kernel.inNetns(pathOf(netns)).some((l) => l.name === iface.ifName)) {
      throw system(`interface configure failed: EEXIST: file already exists, RTM_SETLINK '${iface.ifName}'`);
    }
    const h = this.kernel.add({ name: host, kind: 'veth', mtu: iface.mtu ?? 1500, netns: '', up: true, master: br.index, isolated });
    const c = this.kernel.add({ name: iface.ifName, kind: 'veth', mtu: iface.mtu ?? 1500, netns: pathOf(netns), up: true, mac: iface.mac, addresses: [iface.cidr], peer: h.index });
    h.peer = c.index;
  }

  async nft(script: string): Promise<void> {
    this.kernel.nft(script);
  }

  async reservePort(proto: 'tcp' | 'udp', hostIp: string, port: number): Promise<PortReservation> {
    const chosen = this.kernel.takePort(proto, hostIp, port);
    const key = `${proto}/${hostIp || '0.0.0.0'}/${chosen}`;
    return { port: chosen, release: async () => void this.kernel.ports.delete(key) };
  }

  async routes(): Promise<Array<{ cidr: string; dev: string }>> {
    return this.kernel.routes;
  }

  async allowForward(bridge: string): Promise<void> {
    this.kernel.forwardAllowed.add(bridge);
  }

  async disallowForward(bridge: string): Promise<void> {
    this.kernel.forwardAllowed.delete(bridge);
  }
}
