import { lstatSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EngineConfig } from '../config.js';
import type { ContainerRecord } from '../services/containers/record.js';

/** Where a container's files live: its dir in the data root (logs, etc files) and its runtime dirs. */
export interface ContainerPaths {
  dir: string;
  bundle: string;
  state: string;
  log: string;
  hostname: string;
  hosts: string;
  resolvConf: string;
}

/** The paths of a container. */
export function containerPaths(config: EngineConfig, id: string): ContainerPaths {
  const dir = path.join(config.dataRoot, 'containers', id);
  const run = path.join(config.execRoot, 'containers', id);
  return {
    dir, bundle: path.join(run, 'bundle'), state: path.join(run, 'state'), log: path.join(dir, `${id}-json.log`),
    hostname: path.join(dir, 'hostname'), hosts: path.join(dir, 'hosts'), resolvConf: path.join(dir, 'resolv.conf'),
  };
}

/** The host's nameservers a container can use: loopback ones do not work from another netns. */
function hostResolvConf(): string[] {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8').split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l));
  } catch {
    return [];
  }
}

/**
 * resolv.conf for a container: --dns / --dns-search / --dns-opt, else the host's (as dockerd). On a
 * user-defined network `dns` is the embedded DNS server (the network's gateway), dockerd's 127.0.0.11.
 */
export function resolvConf(r: ContainerRecord, dns?: string): string {
  const h = r.HostConfig;
  if (r.HostConfig.NetworkMode === 'host') return hostResolvConf().join('\n');
  const servers = dns ? [`nameserver ${dns}`] : h.Dns?.length ? h.Dns.map((d) => `nameserver ${d}`) : null;
  const lines = servers ?? hostResolvConf().filter((l) => /^\s*nameserver/.test(l));
  if (!lines.some((l) => l.startsWith('nameserver'))) lines.push('nameserver 8.8.8.8', 'nameserver 8.8.4.4');
  if (h.DnsSearch?.length) lines.push(`search ${h.DnsSearch.join(' ')}`);
  if (h.DnsOptions?.length) lines.push(`options ${h.DnsOptions.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/** What dockerd's etchosts writes first, in its order. */
const HOSTS_DEFAULTS = [
  '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix', 'ff02::1\tip6-allnodes', 'ff02::2\tip6-allrouters',
];

/** The addresses and names of a container's /etc/hosts. */
export interface EtcHosts {
  /** Its address on each network it is on: each gets a `<ip> <hostname>` line (dockerd adds one per endpoint). */
  ips?: string[];
  /** What `host-gateway` in --add-host stands for: the default bridge's gateway (dockerd's default host-gateway-ip). */
  hostGateway?: string;
}

/**
 * /etc/hosts as dockerd writes it on a bridge network: localhost and the ip6 names, --add-host
 * entries (`host-gateway` replaced), then the container's own address(es) with its hostname
 * (`<hostname>.<domainname> <hostname>` when it has a domain name). Other containers are left to the DNS.
 */
export function hostsFile(r: ContainerRecord, hosts: EtcHosts = {}): string {
  const hostname = r.Config.Hostname || r.Id.slice(0, 12);
  const names = r.Config.Domainname ? `${hostname}.${r.Config.Domainname} ${hostname}` : hostname;
  const extra = (r.HostConfig.ExtraHosts ?? []).map((e) => {
    const [name, addr] = e.split(/:(.*)/s) as [string, string];
    return `${addr === 'host-gateway' && hosts.hostGateway ? hosts.hostGateway : addr}\t${name}`;
  });
  return [...HOSTS_DEFAULTS, ...extra, ...(hosts.ips ?? []).map((ip) => `${ip}\t${names}`)].join('\n') + '\n';
}

/** Rewrites only /etc/hosts (in place, keeping its inode): a running container joined or left a network. */
export async function writeHostsFile(p: ContainerPaths, r: ContainerRecord, hosts: EtcHosts): Promise<void> {
  await writeFile(p.hosts, hostsFile(r, hosts));
}

/**
 * Writes hostname, hosts and resolv.conf, bind-mounted into the container at start. Rewrites keep
 * the files' inodes (truncate, not rename), so a bind mount made before sees them. `dns` is the
 * embedded DNS's address on a user-defined network.
 */
export async function writeEtcFiles(p: ContainerPaths, r: ContainerRecord, hosts: EtcHosts = {}, dns?: string): Promise<void> {
  await mkdir(p.dir, { recursive: true, mode: 0o710 });
  await Promise.all([
    writeFile(p.hostname, `${r.Config.Hostname || r.Id.slice(0, 12)}\n`),
    writeFile(p.hosts, hostsFile(r, hosts)),
    writeFile(p.resolvConf, resolvConf(r, dns)),
  ]);
}

/**
 * Reads a file of the image's rootfs without following symlinks out of it: the path's directories
 * and the file itself must be real, or it is taken as absent (an image cannot point /etc/passwd at the host).
 */
export function readRootfsFile(rootfs: string, rel: string): string | null {
  let p = rootfs;
  for (const part of rel.split('/').filter(Boolean)) {
    p = path.join(p, part);
    try {
      if (lstatSync(p).isSymbolicLink()) return null;
    } catch {
      return null;
    }
  }
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}
