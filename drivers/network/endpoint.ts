/**
 * Pure helpers about a container's endpoint: its MAC, its interface name, its DNAT entries and
 * what connect answers.
 */
import * as nft from './nft.js';
import { parseIp } from './ipv4.js';
import type { EndpointRecord } from './store.js';
import type { EndpointInfo } from './types.js';

/** 02:42 and the IPv4 address, as Docker derives a container's MAC. */
export function macFor(ip: string): string {
  const n = parseIp(ip);
  return ['02', '42', ...[24, 16, 8, 0].map((s) => ((n >>> s) & 255).toString(16).padStart(2, '0'))].join(':');
}

/** The first ethN not in `used` (a container's interfaces in the order it joined networks). */
export function firstFreeIfName(used: string[]): string {
  for (let n = 0; ; n++) if (!used.includes(`eth${n}`)) return `eth${n}`;
}

/** The DNAT entries of an endpoint's published ports. */
export function natPorts(ep: EndpointRecord): nft.NftPort[] {
  return ep.ports.map((p) => ({ proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerIp: ep.ip, containerPort: p.containerPort }));
}

/** What connect answers for an endpoint. */
export function endpointInfo(ep: EndpointRecord): EndpointInfo {
  return {
    EndpointID: ep.id, NetworkID: ep.networkId, IPAddress: ep.ip, IPPrefixLen: ep.prefixLen, Gateway: ep.gateway ?? '',
    MacAddress: ep.mac, Aliases: ep.aliases, hostVeth: ep.hostVeth, ifName: ep.ifName, ports: ep.ports,
  };
}
