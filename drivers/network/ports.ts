/** Published ports: `-p [ip:][hostPort:]containerPort[/tcp|udp]` as data. */
import { invalidParameter } from '../../protocol/errdefs.js';
import { parseIp } from './ipv4.js';

/**
 * One published port. hostIp '' is every address; hostPort 0 asks for a port of the dynamic range,
 * hostPort with hostPortEnd for a free one of that range (portalloc.ts). Once held, hostPort is the port.
 */
export interface PortBinding {
  proto: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  /** Last port of a host port range (`8000-8010`); absent once a port is held. */
  hostPortEnd?: number;
  containerPort: number;
}

function port(s: string, what: string, zeroOk: boolean): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n > 65535 || (n === 0 && !zeroOk)) throw invalidParameter(`invalid ${what}: ${s}`);
  return n;
}

/** Parses one `-p` value (no ranges, no IPv6: issue 6). */
export function parsePortSpec(spec: string): PortBinding {
  const [addr, protoPart, extra] = spec.split('/');
  const proto = protoPart ?? 'tcp';
  if (extra !== undefined || (proto !== 'tcp' && proto !== 'udp') || addr === undefined) {
    throw invalidParameter(`invalid port specification: "${spec}"`);
  }
  const parts = addr.split(':');
  if (parts.length > 3) throw invalidParameter(`invalid port specification: "${spec}"`);
  const containerPort = port(parts[parts.length - 1]!, 'containerPort', false);
  const hostPort = parts.length >= 2 && parts[parts.length - 2] !== '' ? port(parts[parts.length - 2]!, 'hostPort', true) : 0;
  const hostIp = parts.length === 3 ? parts[0]! : '';
  if (hostIp !== '') parseIp(hostIp);
  return { proto, hostIp, hostPort, containerPort };
}

/** "0.0.0.0:8080" / "127.0.0.1:8080", as dockerd names a host binding in errors. */
export function hostAddress(p: { hostIp: string; hostPort: number }): string {
  return `${p.hostIp === '' ? '0.0.0.0' : p.hostIp}:${p.hostPort}`;
}
