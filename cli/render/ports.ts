/** `berth port` lines, as docker prints them from a container's NetworkSettings.Ports. */
import type { PortBinding } from '../../protocol/types/containers.js';

/** Go's net.JoinHostPort: an IPv6 host goes in brackets. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** sortorder.NaturalLess as a comparator: runs of digits compare as numbers (`80/tcp` before `443/tcp`). */
export function naturalCompare(a: string, b: string): number {
  const chunks = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];
  const x = chunks(a);
  const y = chunks(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [p, q] = [x[i]!, y[i]!];
    if (p === q) continue;
    const numeric = /^\d/.test(p) && /^\d/.test(q);
    if (numeric && Number(p) !== Number(q)) return Number(p) - Number(q);
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/**
 * The lines for all published ports (`80/tcp -> 0.0.0.0:8080`), or for one private port
 * (`0.0.0.0:8080`); undefined when that port is not published.
 */
export function portLines(ports: Record<string, PortBinding[] | null>, spec?: string): string[] | undefined {
  let lines: string[];
  if (spec !== undefined) {
    const [port = '', proto = 'tcp'] = spec.split('/');
    const frontends = ports[`${port}/${proto || 'tcp'}`];
    if (!frontends || frontends.length === 0) return undefined;
    lines = frontends.map((f) => joinHostPort(f.HostIp ?? '', f.HostPort ?? ''));
  } else {
    lines = Object.entries(ports).flatMap(([from, frontends]) => (frontends ?? []).map((f) => `${from} -> ${joinHostPort(f.HostIp ?? '', f.HostPort ?? '')}`));
  }
  return lines.sort(naturalCompare);
}
