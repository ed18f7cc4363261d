import { invalidParameter } from '../../protocol/errdefs.js';
import type { NetworkSettings, PortBinding as WirePortBinding } from '../../protocol/types/containers.js';
import type { PortBinding } from '../../drivers/network/ports.js';
import type { EngineContext } from '../context.js';
import { emptyNetworkSettings, type ContainerRecord } from '../services/containers/record.js';

/** The network a container's NetworkMode joins through the driver; null for none, host and container:<x>. */
export function networkOf(mode: string | undefined): string | null {
  if (!mode || mode === 'default' || mode === 'bridge') return 'bridge';
  if (mode === 'none' || mode === 'host' || mode.startsWith('container:')) return null;
  return mode;
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
      const hostPort = b.HostPort ? Number(b.HostPort) : 0;
      if (!Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535) throw invalidParameter(`invalid host port: "${b.HostPort}"`);
      out.push({ proto: (m[2] ?? 'tcp') as 'tcp' | 'udp', hostIp: b.HostIp || '0.0.0.0', hostPort, containerPort: Number(m[1]) });
    }
  }
  return out;
}

/** Connects a created container (its process not started yet) to its network; returns its NetworkSettings. */
export async function connectNetwork(ctx: EngineContext, r: ContainerRecord, pid: number): Promise<NetworkSettings> {
  const name = networkOf(r.HostConfig.NetworkMode);
  if (!name) return emptyNetworkSettings();
  const ep = await ctx.call('network', 'connect', [{ containerId: r.Id, containerName: r.Name.slice(1), netns: { pid }, network: name, ports: portsOf(r) }]);
  const Ports: NetworkSettings['Ports'] = {};
  for (const p of ep.ports) (Ports[`${p.containerPort}/${p.proto}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  const endpoint = { NetworkID: ep.NetworkID, EndpointID: ep.EndpointID, Gateway: ep.Gateway, IPAddress: ep.IPAddress, IPPrefixLen: ep.IPPrefixLen, MacAddress: ep.MacAddress, Aliases: ep.Aliases };
  const top = name === 'bridge' ? { IPAddress: ep.IPAddress, IPPrefixLen: ep.IPPrefixLen, Gateway: ep.Gateway, MacAddress: ep.MacAddress } : {};
  return { ...emptyNetworkSettings(), ...top, SandboxKey: `/proc/${pid}/ns/net`, Ports, Networks: { [name]: endpoint } };
}

/** Disconnects a container from every network it is on (its veths, addresses and published ports go). */
export async function disconnectNetworks(ctx: EngineContext, id: string): Promise<void> {
  for (const ep of await ctx.call('network', 'endpointsOf', [])) {
    if (ep.containerId !== id) continue;
    await ctx.call('network', 'disconnect', [id, ep.networkId]).catch((e: Error) => ctx.log.warn(`disconnect ${id.slice(0, 12)}: ${e.message}`));
  }
}
