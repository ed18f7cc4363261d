/**
 * Linux capabilities by number, and the ones this daemon may hand out: a process can never give
 * its child a capability outside its own bounding set (capset fails with EPERM), so "all
 * capabilities" (--privileged, --cap-add ALL) means all the daemon holds, as with podman. Hosts that
 * run berth inside a restricted container or VM often lack a few (this CI machine: CAP_SYS_RESOURCE).
 */
import { readFileSync } from 'node:fs';

import { invalidParameter } from '../../protocol/errdefs.js';
import { DEFAULT_CAPS } from './defaults.js';

/** Every capability the kernel headers name, in bit order (CAP_CHOWN is bit 0). */
export const CAPABILITY_BITS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

/** The capabilities set in a `/proc/<pid>/status` mask line's hex value (e.g. CapBnd). */
export function capabilitiesOfMask(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  return CAPABILITY_BITS.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/** The capabilities of a status file's CapBnd line; every known one when there is none. */
export function boundingSet(statusText: string): string[] {
  const m = /^CapBnd:\s*([0-9a-f]+)$/im.exec(statusText);
  return m ? capabilitiesOfMask(m[1]!) : [...CAPABILITY_BITS];
}

let held: string[] | undefined;

/** This daemon's bounding set (read once: it cannot grow while the process runs). */
export function daemonCapabilities(): string[] {
  held ??= boundingSet(readFileSync('/proc/self/status', 'utf8'));
  return held;
}

/** What a container asks for (HostConfig's fields). */
export interface CapabilityRequest {
  Privileged?: boolean | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
}

const capName = (c: string) => (c.toUpperCase().startsWith('CAP_') ? c.toUpperCase() : `CAP_${c.toUpperCase()}`);

/**
 * The capability set: Docker's default, plus --cap-add, minus --cap-drop (`ALL` on either side).
 * `held` is what the daemon may hand out: "all" (--privileged, --cap-add ALL) means all of those, and
 * a capability asked for by name outside it is refused up front (InvalidParameter) instead of failing
 * in capset at start.
 */
export function capabilitySet(h: CapabilityRequest, held: readonly string[]): string[] {
  if (h.Privileged) return [...held];
  const add = (h.CapAdd ?? []).map(capName);
  const drop = (h.CapDrop ?? []).map(capName);
  for (const [field, list] of [['CapAdd', add], ['CapDrop', drop]] as const) {
    const unknown = list.find((c) => c !== 'CAP_ALL' && !(CAPABILITY_BITS as readonly string[]).includes(c));
    if (unknown) throw invalidParameter(`invalid ${field}: unknown capability: "${unknown}"`);
  }
  const missing = add.filter((c) => c !== 'CAP_ALL' && !held.includes(c));
  if (missing.length > 0) throw invalidParameter(`invalid CapAdd: the daemon does not hold ${missing.join(', ')} (not in its bounding set), so no container can have it`);
  let caps = add.includes('CAP_ALL') ? [...held] : [...DEFAULT_CAPS, ...add];
  caps = drop.includes('CAP_ALL') ? add.filter((c) => c !== 'CAP_ALL') : caps.filter((c) => !drop.includes(c));
  return [...new Set(caps)].filter((c) => held.includes(c));
}
