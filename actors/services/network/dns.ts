/**
 * The embedded DNS of user-defined networks (dockerd's 127.0.0.11): one UDP socket per network, on
 * its gateway address port 53, which its containers have as their nameserver. A container's name,
 * short id and aliases resolve to its address on that network, for containers on that network
 * only. Other dotted names go upstream, as dockerd's resolver does: to the asking container's own
 * nameservers (HostConfig.Dns, asked from the daemon's namespace) when it has any, else to the
 * host's resolvers; other single-label names are NXDOMAIN.
 *
 * It reads the driver's in-memory records directly (never writes them): an answer then takes no
 * round trip through the actor system, and the records are the truth the driver itself uses.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { NetworkDriver } from '../../../drivers/network/driver.js';
import type { NetworkRecord } from '../../../drivers/network/store.js';
import type { Logger } from '../../kernel/log.js';
import { answer, isInternet, parseQuery, RCODE, TYPE_A, type DnsQuery } from './dns-packet.js';

/** How long a forwarded query may take before the container gets SERVFAIL. */
const FORWARD_MS = 3000;

/** The host's nameservers, read when a query needs them (the daemon runs in the host's netns, so loopback ones work). */
export function hostNameservers(text?: string): string[] {
  let conf = text;
  try {
    conf ??= readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return [];
  }
  return [...conf.matchAll(/^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/gm)].map((m) => m[1]!);
}

/** The names an endpoint answers to on its network. */
function namesOf(ep: { containerName: string; containerId: string; aliases: string[] }): string[] {
  return [ep.containerName, ep.containerId.slice(0, 12), ...ep.aliases].map((n) => n.toLowerCase());
}

/** The DNS servers of every user-defined network. */
export class EmbeddedDns {
  private sockets = new Map<string, { gateway: string; socket: dgram.Socket }>();
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly driver: Pick<NetworkDriver, 'list' | 'endpointsOf'>,
    private readonly log: Logger,
    private readonly port = 53,
    private readonly upstreams: () => string[] = () => hostNameservers(),
  ) {}

  /** Opens a server for each user network that has none, closes those of networks gone (one sync at a time). */
  sync(): Promise<void> {
    const run = this.syncing.then(() => this.doSync());
    this.syncing = run.catch(() => undefined);
    return run;
  }

  private async doSync(): Promise<void> {
    const wanted = new Map(this.driver.list().filter((n) => !n.isDefault).map((n) => [n.Id, n]));
    for (const [id, s] of this.sockets) {
      if (wanted.get(id)?.gateway === s.gateway) continue;
      s.socket.close();
      this.sockets.delete(id);
    }
    for (const n of wanted.values()) if (!this.sockets.has(n.Id)) await this.open(n).catch((e: Error) => this.log.warn(`dns: ${n.Name} on ${n.gateway}:${this.port}: ${e.message}`));
  }

  /** Where the server of a network listens ("10.89.0.1:53"), or null. */
  address(networkId: string): string | null {
    const s = this.sockets.get(networkId);
    return s ? `${s.gateway}:${s.socket.address().port}` : null;
  }

  private async open(n: NetworkRecord): Promise<void> {
    // reuseAddr: a host resolver bound to 0.0.0.0:53 must not keep ours from its own address.
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    socket.on('message', (msg, rinfo) => void this.onQuery(n.Id, socket, msg, rinfo));
    socket.on('error', (e) => this.log.warn(`dns: ${n.Name}: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.port, n.gateway, () => {
        socket.off('error', reject);
        resolve();
      });
    }).catch((e: Error) => {
      socket.close();
      throw e;
    });
    this.sockets.set(n.Id, { gateway: n.gateway, socket });
  }

  private async onQuery(networkId: string, socket: dgram.Socket, msg: Buffer, from: dgram.RemoteInfo): Promise<void> {
    const reply = await this.resolve(networkId, msg, from.address).catch(() => null);
    if (reply) socket.send(reply, from.port, from.address);
  }

  /** The reply to one query from `source` on a network; null to stay silent. */
  async resolve(networkId: string, msg: Buffer, source: string): Promise<Buffer | null> {
    const q = parseQuery(msg);
    if (!q) return null;
    const net = this.driver.list().find((n) => n.Id === networkId);
    const endpoints = this.driver.endpointsOf(networkId);
    // Only this network's containers may ask: the names are theirs (another bridge reaches this address too).
    const asker = endpoints.find((e) => e.ip === source);
    if (!net || !asker) return answer(q, RCODE.REFUSED);
    const hits = endpoints.filter((e) => namesOf(e).includes(q.name)).map((e) => e.ip);
    if (hits.length > 0 && isInternet(q)) return answer(q, RCODE.NOERROR, q.type === TYPE_A ? hits : []);
    if (!q.name.includes('.')) return answer(q, RCODE.NXDOMAIN);
    if (net.internal) return answer(q, RCODE.REFUSED);
    return this.forward(q, msg, asker.dns?.length ? asker.dns : this.upstreams());
  }

  /** Asks the upstream servers in turn; SERVFAIL when none answers in time. */
  private async forward(q: DnsQuery, msg: Buffer, servers: string[]): Promise<Buffer> {
    for (const server of servers) {
      const reply = await exchange(server, msg, FORWARD_MS).catch(() => null);
      if (reply) return reply;
    }
    return answer(q, RCODE.SERVFAIL);
  }

  /** Closes every server. */
  close(): void {
    for (const s of this.sockets.values()) s.socket.close();
    this.sockets.clear();
  }
}

/** One UDP request to `ip` or `ip:port` (53 by default) and its reply (same id), or a rejection after `ms`. */
function exchange(server: string, msg: Buffer, ms: number): Promise<Buffer> {
  const [host, port] = server.split(':') as [string, string | undefined];
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const done = (err: Error | null, reply?: Buffer) => {
      clearTimeout(timer);
      s.close();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => done(new Error(`no answer from ${server}`)), ms);
    s.on('error', (e) => done(e));
    s.on('message', (reply) => {
      if (reply.length >= 2 && reply.readUInt16BE(0) === msg.readUInt16BE(0)) done(null, reply);
    });
    s.send(msg, port ? Number(port) : 53, host);
  });
}
