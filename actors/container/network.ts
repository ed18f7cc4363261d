import { invalidParameter } from '../../protocol/errdefs.js';
import type { EndpointSettings, NetworkSettings, PortBinding as WirePortBinding } from '../../protocol/types/containers.js';
import type { EndpointConfig, EndpointIPAMConfig } from '../../protocol/types/networks.js';
import type { NetnsRef } from '../../drivers/network/backend.js';
import type { EndpointInfo } from '../../drivers/network/driver.js';
import type { PortBinding } from '../../drivers/network/ports.js';
import type { EngineContext } from '../context.js';
import { emptyNetworkSettings, type ContainerRecord } from '../services/containers/record.js';
import { containerPaths, writeEtcFiles, writeHostsFile, type EtcHosts } from './files.js';

/** An endpoint as the record keeps it: what inspect shows, plus what was asked for (kept across stops). */
export type StoredEndpoint = EndpointSettings & { IPAMConfig?: EndpointIPAMConfig | null; DNSNames?: string[] | null };

/** The network a container's NetworkMode joins through the driver; null for none, host and container:<x>. */
export function networkOf(mode: string | undefined): string | null {
  if (!mode || mode === 'default' || mode === 'bridge') return 'bridge';
  if (mode === 'none' || mode === 'host' || mode.startsWith('container:')) return null;
  return mode;
}

/** A binding's HostPort: '' or '0' (a port of the dynamic range), '8080', or a range '8000-8010' (a free one of it). */
function hostPorts(text: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (text === '') return [0, 0];
  const start = Number(m?.[1]);
  const end = m?.[2] === undefined ? start : Number(m[2]);
  if (!m || end > 65535 || end < start || (start === 0 && end !== 0)) throw invalidParameter(`invalid port specification: "${text}"`);
  return [start, end];
}

/** HostConfig.PortBindings (and -P over ExposedPorts) as the driver's port list. */
export function portsOf(r: ContainerRecord): PortBinding[] {
  const out: PortBinding[] = [];
  const bindings: Record<string, WirePortBinding[] | null> = { ...(r.HostConfig.PortBindings ?? {}) };
  if (r.HostConfig.PublishAllPorts) for (const p of Object.keys(r.Config.ExposedPorts ?? {})) bindings[p] ??= [{}];
  for (const [key, list] of Object.entries(bindings)) {
    const m = /^(\d+)(?:\/(tcp|udp))?$/.exec(key);
    if (!m) throw invalidParameter(`invalid port specification: "${key}"`);
    for (const b of list ?? [{}]) {
      const [hostPort, hostPortEnd] = hostPorts(b.HostPort ?? '');
      const binding: PortBinding = { proto: (m[2] ?? 'tcp') as 'tcp' | 'udp', hostIp: b.HostIp || '0.0.0.0', hostPort, containerPort: Number(m[1]) };
      out.push(hostPortEnd === hostPort ? binding : { ...binding, hostPortEnd });
    }
  }
  return out;
}

/** A network asked for but not joined yet (a stopped container's connect, or create's EndpointsConfig). */
export function pendingEndpoint(networkId: string, cfg: EndpointConfig = {}): StoredEndpoint {
  return {
    NetworkID: networkId, EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '',
    IPAMConfig: cfg.IPAMConfig ?? null, Aliases: cfg.Aliases ?? null, DNSNames: null,
  };
}

/**
 * NetworkingConfig.EndpointsConfig of a create request as the record's Networks (pending until
 * start). For container.create, so that `--network-alias` and `--ip` are honoured at start.
 */
export function pendingNetworks(endpoints: Record<string, unknown> | null | undefined): Record<string, StoredEndpoint> {
  const out: Record<string, StoredEndpoint> = {};
  for (const [name, cfg] of Object.entries(endpoints ?? {})) out[name] = pendingEndpoint('', (cfg ?? {}) as EndpointConfig);
  return out;
}

/**
 * A new container's NetworkSettings: its user network must exist (dockerd's 404 "network x not
 * found"), and NetworkingConfig.EndpointsConfig (aliases, static addresses) waits in Networks for start.
 */
export async function networkSettingsAtCreate(ctx: EngineContext, mode: string | undefined, endpoints: Record<string, unknown> | null | undefined): Promise<NetworkSettings> {
  const name = networkOf(mode);
  if (name && name !== 'bridge') await ctx.call('network', 'network', [name]);
  return { ...emptyNetworkSettings(), Networks: pendingNetworks(endpoints) };
}

/** What a stopped container keeps of its NetworkSettings: the networks and what was asked of them, no addresses. */
export function stoppedNetworkSettings(r: ContainerRecord): NetworkSettings {
  const Networks: Record<string, StoredEndpoint> = {};
  for (const [name, ep] of Object.entries(r.NetworkSettings.Networks as Record<string, StoredEndpoint>)) Networks[name] = pendingEndpoint(ep.NetworkID, ep);
  return { ...emptyNetworkSettings(), Networks };
}

/** Connects a running (or just created) container to one network; publishes `network connect`. */
export async function joinNetwork(ctx: EngineContext, r: ContainerRecord, network: string, cfg: EndpointConfig, netns: NetnsRef, ports: PortBinding[] = []): Promise<{ name: string; ep: EndpointInfo; settings: StoredEndpoint }> {
  const net = await ctx.call('network', 'network', [network]);
  const ip = cfg.IPAMConfig?.IPv4Address || undefined;
  const aliases = cfg.Aliases ?? [];
  // One default route per container: a network joined after the first adds only its subnet's route.
  const defaultRoute = !(await ctx.call('network', 'endpointsOf', [])).some((e) => e.containerId === r.Id);
  const ep = await ctx.call('network', 'connect', [{ containerId: r.Id, containerName: r.Name.slice(1), netns, network: net.Id, ip, aliases, ports, defaultRoute, dns: r.HostConfig.Dns ?? [] }]);
  ctx.bus.publish('network.connect', { id: net.Id, attributes: { container: r.Id, name: net.Name, type: 'bridge' } });
  const dnsNames = net.isDefault ? null : [r.Name.slice(1), r.Id.slice(0, 12), ...aliases];
  const settings: StoredEndpoint = {
    IPAMConfig: cfg.IPAMConfig ?? null, NetworkID: ep.NetworkID, EndpointID: ep.EndpointID, Gateway: ep.Gateway, IPAddress: ep.IPAddress,
    IPPrefixLen: ep.IPPrefixLen, MacAddress: ep.MacAddress, Aliases: cfg.Aliases ?? null, DNSNames: dnsNames,
  };
  return { name: net.Name, ep, settings };
}

/**
 * Connects a container about to start (its namespace made, its process not started) to its
 * NetworkMode's network, then to every other network it was connected to while stopped; returns
 * its NetworkSettings but the SandboxKey, which names its process. On a user-defined network its
 * resolv.conf names the embedded DNS (the network's gateway).
 */
export async function connectNetwork(ctx: EngineContext, r: ContainerRecord, netns: NetnsRef): Promise<NetworkSettings> {
  const primary = networkOf(r.HostConfig.NetworkMode);
  if (!primary) return emptyNetworkSettings();
  const asked = r.NetworkSettings.Networks as Record<string, StoredEndpoint>;
  const first = await ctx.call('network', 'network', [primary]);
  const mode = r.HostConfig.NetworkMode ?? 'default';
  const joined = [await joinNetwork(ctx, r, first.Id, asked[first.Name] ?? asked[mode] ?? {}, netns, portsOf(r))];
  for (const [name, cfg] of Object.entries(asked)) {
    // The NetworkMode's entry may be keyed by what the client called it ("default", an id prefix).
    if (name === first.Name || name === mode || name === primary) continue;
    joined.push(await joinNetwork(ctx, r, cfg.NetworkID || name, cfg, netns));
  }
  const main = joined[0]!.ep;
  const Ports: NetworkSettings['Ports'] = {};
  for (const p of main.ports) (Ports[`${p.containerPort}/${p.proto}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  const top = first.isDefault ? { IPAddress: main.IPAddress, IPPrefixLen: main.IPPrefixLen, Gateway: main.Gateway, MacAddress: main.MacAddress } : {};
  await writeEtcFiles(containerPaths(ctx.config, r.Id), r, await etcHosts(ctx, joined.map((j) => j.ep.IPAddress)), first.isDefault ? undefined : first.gateway);
  const Networks = Object.fromEntries(joined.map((j) => [j.name, j.settings]));
  return { ...emptyNetworkSettings(), ...top, Ports, Networks };
}

/** The hosts-file addresses of a container on `ips`, `host-gateway` being the default bridge's gateway. */
export async function etcHosts(ctx: EngineContext, ips: string[]): Promise<EtcHosts> {
  const bridge = (await ctx.call('network', 'list', [])).find((n) => n.isDefault);
  return { ips, ...(bridge && { hostGateway: bridge.gateway }) };
}

/** Rewrites a running container's /etc/hosts after a connect or disconnect: one line per address it has now. */
export async function refreshHosts(ctx: EngineContext, r: ContainerRecord): Promise<void> {
  const ips = (await ctx.call('network', 'endpointsOf', [])).filter((e) => e.containerId === r.Id).map((e) => e.ip);
  await writeHostsFile(containerPaths(ctx.config, r.Id), r, await etcHosts(ctx, ips));
}

/**
 * Disconnects a container from every network it is on (its veths, addresses and published ports
 * go). `lingering` for a container that has exited: its veths finish going in the background (see
 * the network driver's `settled`, which removal awaits).
 */
export async function disconnectNetworks(ctx: EngineContext, id: string, lingering = false): Promise<void> {
  const names = new Map((await ctx.call('network', 'list', [])).map((n) => [n.Id, n.Name]));
  for (const ep of await ctx.call('network', 'endpointsOf', [])) {
    if (ep.containerId !== id) continue;
    try {
      await ctx.call('network', 'disconnect', [id, ep.networkId, { lingering }]);
      ctx.bus.publish('network.disconnect', { id: ep.networkId, attributes: { container: id, name: names.get(ep.networkId) ?? '', type: 'bridge' } });
    } catch (e) {
      ctx.log.warn(`disconnect ${id.slice(0, 12)}: ${(e as Error).message}`);
    }
  }
}
