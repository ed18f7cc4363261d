/**
 * The NetworkBackend on the real kernel: links through the addon's netlink, rules through
 * `nft -f -` (a child process, no shell), host ports held by bound sockets in this process, and
 * accept rules in iptables' FORWARD chain only where the host's FORWARD policy is DROP (README).
 *
 * `hostNetns` runs everything that would touch the host in that namespace instead (tests build a
 * Docker-like host there); port holds need the daemon's own namespace and refuse then.
 */
import { execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { closeSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';

import { conflict, invalidParameter, notImplemented, system } from '../../protocol/errdefs.js';
import { loadNative, type NativeAddon } from '../native/addon.js';
import type { BackendLink, ContainerInterface, NetnsRef, NetworkBackend, PortReservation, Sandbox } from './backend.js';
import { hostAddress } from './ports.js';

const execFileP = promisify(execFile);

/**
 * How long an exited container's veth may outlive it before it is deleted by hand: the kernel's
 * own removal takes ~5–20 ms; one that takes longer means something else still holds the
 * namespace (a container sharing it, a bind mount of it).
 */
const LINGER_MS = 500;

/** Options of the native backend. */
export interface NativeNetworkOptions {
  /** Act in this network namespace instead of the daemon's own (tests). */
  hostNetns?: string;
}

/** The real kernel. */
export class NativeBackend implements NetworkBackend {
  readonly name = 'native';
  private readonly addon: NativeAddon;
  private readonly ns: { netns?: string };

  constructor(readonly options: NativeNetworkOptions = {}) {
    this.addon = loadNative();
    this.ns = options.hostNetns ? { netns: options.hostNetns } : {};
  }

  /** argv for a host command, through nsenter when acting in another namespace. */
  private argv(cmd: string, args: string[]): [string, string[]] {
    return this.options.hostNetns ? ['nsenter', [`--net=${this.options.hostNetns}`, cmd, ...args]] : [cmd, args];
  }

  async link(name: string): Promise<BackendLink | null> {
    return this.addon.linkGet(name, this.ns);
  }

  async links(prefix: string): Promise<BackendLink[]> {
    return this.addon.linkList(prefix, this.ns);
  }

  async createBridge(name: string, cidr: string, mtu?: number): Promise<void> {
    this.addon.bridgeCreate(name, { ...this.ns, ...(mtu ? { mtu } : {}) });
    try {
      await this.adoptBridge(name, cidr);
    } catch (e) {
      this.addon.linkDelete(name, this.ns);
      throw e;
    }
  }

  async adoptBridge(name: string, cidr: string): Promise<void> {
    const [address, len] = cidr.split('/');
    const has = this.addon.addressList(name, this.ns).some((a) => a.address === address && String(a.prefixLen) === len);
    if (!has) this.addon.addressAdd(name, cidr, this.ns);
    // Published ports answer on 127.0.0.1 by DNAT to the container: the kernel must route 127/8 out of the bridge.
    this.addon.sysctlWrite(`net/ipv4/conf/${name}/route_localnet`, '1', this.ns);
    this.addon.linkSet(name, { up: true }, this.ns);
  }

  async deleteLink(name: string): Promise<void> {
    try {
      // Off the event loop: a delete waits out an RCU grace period (~20 ms) in the kernel.
      await this.addon.linkDeleteAsync(name, this.ns);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENODEV') throw e;
    }
  }

  async sandbox(): Promise<Sandbox> {
    const fd = await this.addon.netnsCreate();
    return { path: `/proc/${process.pid}/fd/${fd}`, fd };
  }

  closeSandbox(s: Sandbox): void {
    closeSync(s.fd);
  }

  async releaseLink(name: string): Promise<void> {
    try {
      // The kernel unregisters both ends in one batch when the peer's namespace dies, in about
      // half the time an RTM_DELLINK of ours takes (which would also race with it for the lock).
      await this.addon.linkGoneAsync(name, LINGER_MS, this.ns);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ETIMEDOUT') throw e;
      await this.deleteLink(name);
    }
  }

  async plug(host: string, bridge: string, isolated: boolean, netns: NetnsRef, iface: ContainerInterface): Promise<void> {
    // The container's end is made inside its namespace: moving it there afterwards would cost an
    // RCU grace period (~20 ms) on every start.
    const peerNetns = 'pid' in netns ? { pid: netns.pid } : { path: netns.path };
    this.addon.vethCreate(host, iface.name, { ...this.ns, ...(iface.mtu ? { mtu: iface.mtu } : {}), peerNetns });
    try {
      this.addon.linkSet(host, { master: bridge, up: true }, this.ns);
      this.addon.bridgePortSet(host, { isolated, hairpin: true }, this.ns);
      const path = 'path' in netns ? netns.path : `/proc/${netns.pid}/ns/net`;
      await this.addon.interfaceConfigure(path, {
        name: iface.name, rename: iface.ifName, cidr: iface.cidr, mac: iface.mac,
        ...(iface.mtu ? { mtu: iface.mtu } : {}), ...(iface.gateway ? { gateway: iface.gateway } : {}),
      });
    } catch (e) {
      await this.deleteLink(host); // the peer goes with it, wherever it is by now
      throw e;
    }
  }

  nft(script: string): Promise<void> {
    const [cmd, args] = this.argv('nft', ['-f', '-']);
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (e) => reject(system(`nft: ${e.message}`, e)));
      child.on('close', (code) => (code === 0 ? resolve() : reject(system(`nft -f: exit ${code}: ${stderr.trim()}`))));
      child.stdin.end(script);
    });
  }

  async reservePort(proto: 'tcp' | 'udp', hostIp: string, port: number): Promise<PortReservation> {
    if (this.options.hostNetns) throw notImplemented('published ports need the daemon in the host network namespace');
    const host = hostIp === '' ? '0.0.0.0' : hostIp;
    const refuse = (e: NodeJS.ErrnoException): never => {
      if (e.code === 'EADDRINUSE') throw conflict(`Bind for ${hostAddress({ hostIp, hostPort: port })} failed: port is already allocated`);
      if (e.code === 'EADDRNOTAVAIL') throw invalidParameter(`cannot publish on ${host}: not an address of this host`);
      throw system(`hold ${proto} port ${hostAddress({ hostIp, hostPort: port })}: ${e.message}`, e);
    };
    return proto === 'tcp' ? holdTcp(host, port).catch(refuse) : holdUdp(host, port).catch(refuse);
  }

  async routes(): Promise<Array<{ cidr: string; dev: string }>> {
    if (this.options.hostNetns) return [];
    return parseProcRoute(readFileSync('/proc/net/route', 'utf8'));
  }

  async allowForward(bridge: string): Promise<void> {
    for (const bin of await this.droppingIptables()) {
      for (const dir of ['-i', '-o']) {
        const rule = ['FORWARD', dir, bridge, '-m', 'comment', '--comment', `berth:${bridge}`, '-j', 'ACCEPT'];
        if (!(await this.ok(bin, ['-C', ...rule]))) await this.run(bin, ['-I', ...rule]);
      }
    }
  }

  async disallowForward(bridge: string): Promise<void> {
    for (const bin of await this.iptablesWithFilter()) {
      for (const dir of ['-i', '-o']) {
        const rule = ['FORWARD', dir, bridge, '-m', 'comment', '--comment', `berth:${bridge}`, '-j', 'ACCEPT'];
        while (await this.ok(bin, ['-C', ...rule])) await this.run(bin, ['-D', ...rule]);
      }
    }
  }

  /** The iptables flavours that have a filter table here (asking never creates one). */
  private async iptablesWithFilter(): Promise<string[]> {
    const out: string[] = [];
    if (await this.ok('nft', ['list', 'table', 'ip', 'filter'])) out.push('iptables-nft');
    const [cmd, args] = this.argv('cat', ['/proc/net/ip_tables_names']);
    const legacy = await execFileP(cmd, args).then((r) => r.stdout, () => '');
    if (legacy.split('\n').includes('filter') && (await this.ok('iptables-legacy', ['--version']))) out.push('iptables-legacy');
    return out;
  }

  /** Those whose FORWARD policy is DROP (Docker sets it): only there do berth's bridges need accepts. */
  private async droppingIptables(): Promise<string[]> {
    const out: string[] = [];
    for (const bin of await this.iptablesWithFilter()) {
      const rules = await this.run(bin, ['-S', 'FORWARD']);
      if (/^-P FORWARD DROP$/m.test(rules)) out.push(bin);
    }
    return out;
  }

  private async run(cmd: string, args: string[]): Promise<string> {
    const [c, a] = this.argv(cmd, args);
    try {
      return (await execFileP(c, a)).stdout;
    } catch (e) {
      throw system(`${cmd} ${args.join(' ')}: ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`, e);
    }
  }

  private ok(cmd: string, args: string[]): Promise<boolean> {
    const [c, a] = this.argv(cmd, args);
    return execFileP(c, a).then(() => true, () => false);
  }
}

function holdTcp(host: string, port: number): Promise<PortReservation> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((s) => s.destroy()); // DNAT sends nothing here; refuse strays
    server.once('error', reject);
    server.listen({ host, port, exclusive: true, backlog: 1 }, () => {
      server.unref();
      const got = (server.address() as net.AddressInfo).port;
      resolve({ port: got, release: () => new Promise<void>((r) => server.close(() => r())) });
    });
  });
}

function holdUdp(host: string, port: number): Promise<PortReservation> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    sock.once('error', reject);
    sock.bind({ address: host, port, exclusive: true }, () => {
      sock.unref();
      resolve({ port: sock.address().port, release: () => new Promise<void>((r) => sock.close(() => r())) });
    });
  });
}

/** /proc/net/route (hex, little-endian addresses) → "a.b.c.d/n" per route. */
export function parseProcRoute(text: string): Array<{ cidr: string; dev: string }> {
  const ip = (hex: string) => {
    const n = parseInt(hex, 16);
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
  };
  const bits = (hex: string) => parseInt(hex, 16).toString(2).replace(/0/g, '').length;
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 8)
    .map((f) => ({ dev: f[0]!, cidr: `${ip(f[1]!)}/${bits(f[7]!)}` }));
}
