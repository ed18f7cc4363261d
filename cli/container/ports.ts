/**
 * `-p/--publish` and `--expose` as docker's go-connections/nat parses them: `[ip:][hostPort:]port[/proto]`
 * with ranges, into ExposedPorts and HostConfig.PortBindings.
 */
import { isIP } from 'node:net';
import type { PortBinding } from '../../protocol/types/containers.js';

/** The two maps the create body carries. */
export interface PortMaps {
  ExposedPorts: Record<string, Record<string, never>>;
  PortBindings: Record<string, PortBinding[]>;
}

/** nat.splitParts: the last part is the container port, the one before it the host port, the rest the IP. */
function splitParts(raw: string): [ip: string, host: string, container: string] {
  const parts = raw.split(':');
  const n = parts.length;
  if (n === 1) return ['', '', parts[0]!];
  if (n === 2) return ['', parts[0]!, parts[1]!];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, parts[n - 1]!];
}

/** nat.SplitProtoPort: `80/udp` → ['udp', '80']; no protocol means tcp. */
function splitProto(raw: string): [proto: string, port: string] {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1 || parts[1] === '') return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}

/** nat.ParsePortRange: `80` or `8000-8010`. */
function parseRange(text: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const start = Number(m?.[1]);
  const end = m?.[2] === undefined ? start : Number(m[2]);
  if (!m || start > 65535 || end > 65535 || end < start) throw new Error('bad range');
  return [start, end];
}

function range(text: string, what: string): [number, number] {
  try {
    return parseRange(text);
  } catch {
    throw new Error(`invalid ${what}: ${text}`);
  }
}

function validIp(raw: string): string {
  const ip = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (ip !== '' && isIP(ip) === 0) throw new Error(`invalid IP address: ${ip}`);
  return ip;
}

/** One `-p` value as [port key, binding] pairs, e.g. `127.0.0.1:8080:80` → [['80/tcp', {HostIp, HostPort}]]. */
export function parsePortSpec(raw: string): [string, PortBinding][] {
  const [rawIp, hostPort, containerPart] = splitParts(raw);
  const [proto, containerPort] = splitProto(containerPart);
  const ip = validIp(rawIp);
  if (containerPort === '') throw new Error(`no port specified: ${raw}<empty>`);
  const [start, end] = range(containerPort, 'containerPort');
  const [hostStart, hostEnd] = hostPort === '' ? [0, 0] : range(hostPort, 'hostPort');
  if (hostPort !== '' && end - start !== hostEnd - hostStart && end !== start) {
    throw new Error(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw new Error(`invalid proto: ${proto}`);
  const out: [string, PortBinding][] = [];
  for (let i = 0; i <= end - start; i++) {
    let host = hostPort === '' ? '' : String(hostStart + i);
    // A single container port with a host range: the daemon picks a free one from the range.
    if (start === end && hostStart !== hostEnd) host = `${host}-${hostEnd}`;
    out.push([`${start + i}/${proto.toLowerCase()}`, { HostIp: ip, HostPort: host }]);
  }
  return out;
}

/** All `-p` and `--expose` values into the create body's maps. */
export function portMaps(publish: readonly string[], expose: readonly string[]): PortMaps {
  const maps: PortMaps = { ExposedPorts: {}, PortBindings: {} };
  for (const spec of publish) {
    for (const [key, binding] of parsePortSpec(spec)) {
      maps.ExposedPorts[key] = {};
      (maps.PortBindings[key] ??= []).push(binding);
    }
  }
  for (const spec of expose) {
    const [proto, port] = splitProto(spec);
    const [start, end] = range(port, 'range format for --expose');
    for (let p = start; p <= end; p++) maps.ExposedPorts[`${p}/${proto.toLowerCase()}`] = {};
  }
  return { ExposedPorts: sortedKeys(maps.ExposedPorts), PortBindings: sortedKeys(maps.PortBindings) };
}

/** The map with its keys in the order Go's encoding/json writes them, so bodies match docker's byte for byte. */
function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
