/**
 * Host ports for published ports, as dockerd's portallocator picks them: a given port is that port;
 * a range (`8000-8010`) is the first free port after the last one this daemon took from the same
 * range (so the first pick is its first port); no port at all comes from the dynamic range, which
 * is the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range) when it can be read and
 * makes sense, else 49153-60999. "Free" is decided by the kernel: the backend binds the port, and a
 * port some other program (or another endpoint) has is skipped.
 */
import { readFileSync } from 'node:fs';

import { conflict, invalidParameter, kindOf } from '../../protocol/errdefs.js';
import type { NetworkBackend, PortReservation } from './backend.js';
import type { PortBinding } from './ports.js';

/** dockerd's fallback dynamic range (portallocator_unix.go: 49153 up to Linux's default upper bound). */
export const DEFAULT_DYNAMIC_RANGE: readonly [number, number] = [49153, 60999];

/** The dynamic range from the text of ip_local_port_range ("32768\t60999"), or the default when unreadable or nonsense. */
export function dynamicPortRange(text?: string): [number, number] {
  let raw = text;
  try {
    raw ??= readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return [...DEFAULT_DYNAMIC_RANGE];
  }
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(raw);
  const [start, end] = [Number(m?.[1]), Number(m?.[2])];
  if (!m || start < 1 || end > 65535 || end < start) return [...DEFAULT_DYNAMIC_RANGE];
  return [start, end];
}

/** Picks and holds host ports; one per driver (its cursors are per address, protocol and range). */
export class PortAllocator {
  private readonly last = new Map<string, number>();

  constructor(private readonly backend: NetworkBackend, readonly dynamic: readonly [number, number] = dynamicPortRange()) {}

  /** Holds the host port of `p`: exactly `hostPort`, or one of `hostPort`-`hostPortEnd`, or a dynamic one when 0. */
  async reserve(p: PortBinding): Promise<PortReservation> {
    const end = p.hostPortEnd ?? p.hostPort;
    if (p.hostPort > 0 && end === p.hostPort) return this.backend.reservePort(p.proto, p.hostIp, p.hostPort);
    const [begin, last] = p.hostPort === 0 ? this.dynamic : [p.hostPort, end];
    if (begin < 1 || last < begin || last > 65535) throw invalidParameter(`invalid port range: ${p.hostPort}-${end}`);
    const key = `${p.proto}/${p.hostIp || '0.0.0.0'}/${begin}-${last}`;
    let port = this.last.get(key) ?? last;
    for (let i = begin; i <= last; i++) {
      port = port >= last ? begin : port + 1;
      const held = await this.backend.reservePort(p.proto, p.hostIp, port).catch((e: unknown) => {
        if (kindOf(e) === 'Conflict') return null;
        throw e;
      });
      if (held) {
        this.last.set(key, port);
        return held;
      }
    }
    throw conflict(`Bind for ${p.hostIp || '0.0.0.0'}:${begin}-${last} failed: all ports are allocated`);
  }
}
