/**
 * Which URLs serve a registry, as dockerd decides it: HTTPS with verified TLS, unless the registry is
 * insecure (loopback always is; `--insecure-registry` adds CIDRs and host[:port] names), in which case
 * TLS is not verified and plain HTTP is tried after HTTPS. Docker Hub (`docker.io`) is served by
 * registry-1.docker.io, after the `--registry-mirror`s for pulls.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { invalidParameter } from '../../../protocol/errdefs.js';
import { DEFAULT_DOMAIN } from '../../../protocol/reference.js';

/** The host Docker Hub's registry API is served from. */
export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';

/** One base URL to try for a registry. */
export interface Endpoint {
  /** `https://host:port` (no trailing slash, no path). */
  url: string;
  /** The registry as users name it (`127.0.0.1:5000`, `docker.io`), for messages. */
  registry: string;
  /** A pull-through mirror: pull only, anonymous, and any failure moves on to the next endpoint. */
  mirror: boolean;
  tlsVerify: boolean;
}

/** The daemon options that decide endpoints (dockerd's --insecure-registry and --registry-mirror). */
export interface EndpointOptions {
  insecureRegistries?: readonly string[];
  mirrors?: readonly string[];
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addSubnet('::1', 128, 'ipv6');

/** Splits `host:port`, `[v6]:port` or `host` into a bare hostname (no brackets). */
export function hostnameOf(hostport: string): string {
  const v6 = /^\[([^\]]+)\]/.exec(hostport);
  if (v6) return v6[1]!;
  const colon = hostport.lastIndexOf(':');
  return colon > 0 && hostport.indexOf(':') === colon ? hostport.slice(0, colon) : hostport;
}

/** Checks `--insecure-registry` values: CIDRs (`10.0.0.0/8`) or host[:port] names. */
export function parseInsecure(entries: readonly string[]): { cidrs: BlockList; names: Set<string> } {
  const cidrs = new BlockList();
  const names = new Set<string>();
  for (const raw of entries) {
    const entry = raw.replace(/^https?:\/\//, '').replace(/\/$/, '');
    const m = /^(.+)\/(\d+)$/.exec(entry);
    if (m && isIP(m[1]!)) {
      const family = isIP(m[1]!) === 6 ? 'ipv6' : 'ipv4';
      const prefix = Number(m[2]);
      if (prefix > (family === 'ipv6' ? 128 : 32)) throw invalidParameter(`invalid insecure registry CIDR: ${raw}`);
      cidrs.addSubnet(m[1]!, prefix, family);
    } else if (entry.includes('/')) {
      throw invalidParameter(`insecure registry ${raw} is not valid: it must be a CIDR or host[:port]`);
    } else {
      names.add(entry.toLowerCase());
    }
  }
  return { cidrs, names };
}

function inAny(ip: string, lists: BlockList[]): boolean {
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  return lists.some((l) => l.check(ip, family));
}

/**
 * Whether a registry (host[:port]) may be reached without verified TLS: named in the list, or one
 * of its addresses is loopback or in a listed CIDR (dockerd resolves the name the same way).
 */
export async function isInsecure(hostport: string, insecure: readonly string[] = []): Promise<boolean> {
  const { cidrs, names } = parseInsecure(insecure);
  const host = hostnameOf(hostport).toLowerCase();
  if (names.has(hostport.toLowerCase()) || names.has(host)) return true;
  if (isIP(host)) return inAny(host, [LOOPBACK, cidrs]);
  if (host === 'localhost') return true;
  if (host === DEFAULT_DOMAIN || host === DOCKER_HUB_REGISTRY) return false;
  const addresses = await lookupQuickly(host);
  return addresses.some((a) => inAny(a, [LOOPBACK, cidrs]));
}

/** DNS with a short bound: an unresolvable name is simply not insecure (the connection will say why). */
async function lookupQuickly(host: string): Promise<string[]> {
  const timeout = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), 2000).unref());
  const found = lookup(host, { all: true }).then(
    (r) => r.map((a) => a.address),
    () => [],
  );
  return Promise.race([found, timeout]);
}

/** A mirror URL as dockerd accepts it: http(s)://host[:port], no path; returned without the slash. */
export function normalizeMirror(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw invalidParameter(`invalid mirror: "${raw}" is not a valid URI`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalidParameter(`invalid mirror: unsupported scheme "${u.protocol.slice(0, -1)}" in "${raw}"`);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.username) throw invalidParameter(`invalid mirror: path, query and user info are not allowed in "${raw}"`);
  return `${u.protocol}//${u.host}`;
}

/**
 * The endpoints to try for a registry domain, in order. With `useMirrors` (pulls), docker.io tries
 * each mirror first; pushes and catalogs never go to mirrors.
 */
export async function endpointsFor(domain: string, opts: EndpointOptions, useMirrors: boolean): Promise<Endpoint[]> {
  const out: Endpoint[] = [];
  if (domain === DEFAULT_DOMAIN && useMirrors) {
    for (const m of opts.mirrors ?? []) {
      const url = normalizeMirror(m);
      const tlsVerify = !(await isInsecure(new URL(url).host, opts.insecureRegistries));
      out.push({ url, registry: domain, mirror: true, tlsVerify });
    }
  }
  const host = domain === DEFAULT_DOMAIN ? DOCKER_HUB_REGISTRY : domain;
  const insecure = await isInsecure(domain, opts.insecureRegistries);
  out.push({ url: `https://${host}`, registry: domain, mirror: false, tlsVerify: !insecure });
  if (insecure) out.push({ url: `http://${host}`, registry: domain, mirror: false, tlsVerify: false });
  return out;
}
