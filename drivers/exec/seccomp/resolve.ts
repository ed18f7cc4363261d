/**
 * A Docker-format seccomp profile made concrete for one container, as dockerd does before it hands
 * the spec to the runtime: rules whose includes/excludes do not fit the container's capabilities,
 * architecture or kernel are dropped, and what is left is the OCI `linux.seccomp` the helper compiles.
 */
import os from 'node:os';

import type { OciSeccomp, OciSeccompRule } from '../spec.js';
import type { SeccompCondition, SeccompProfile, SeccompSyscall } from './profile.js';

/** What a profile's conditions are checked against. */
export interface SeccompTarget {
  /** The container's bounding set (dockerd checks includes.caps against it). */
  caps: readonly string[];
  /** Go's GOARCH name of the architecture (amd64, arm64, …). */
  arch?: string;
  /** The kernel release, e.g. "6.1.0-18-amd64". */
  kernel?: string;
}

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** This machine's architecture by Go's name, as profiles spell it. */
export function hostGoArch(): string {
  return GOARCH[process.arch] ?? process.arch;
}

function version(v: string): [number, number] {
  const [major = 0, minor = 0] = v.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  return [major, minor];
}

function kernelAtLeast(kernel: string, min: string): boolean {
  const [a, b] = version(kernel);
  const [x, y] = version(min);
  return a > x || (a === x && b >= y);
}

function includes(c: SeccompCondition | undefined, t: Required<SeccompTarget>): boolean {
  if (!c) return true;
  if (c.caps?.length && !c.caps.every((cap) => t.caps.includes(cap))) return false;
  if (c.arches?.length && !c.arches.includes(t.arch)) return false;
  return !c.minKernel || kernelAtLeast(t.kernel, c.minKernel);
}

function excluded(c: SeccompCondition | undefined, t: Required<SeccompTarget>): boolean {
  if (!c) return false;
  return !!(c.caps?.some((cap) => t.caps.includes(cap)) || c.arches?.includes(t.arch) || (c.minKernel && kernelAtLeast(t.kernel, c.minKernel)));
}

function toOci(s: SeccompSyscall): OciSeccompRule {
  return {
    names: s.names?.length ? [...s.names] : [s.name!],
    action: s.action,
    ...(s.errnoRet !== undefined && { errnoRet: s.errnoRet }),
    ...(s.args?.length && { args: s.args.map((a) => ({ ...a })) }),
  };
}

/** The OCI profile of `p` for a container with these capabilities on this machine. */
export function resolveSeccomp(p: SeccompProfile, target: SeccompTarget): OciSeccomp {
  const t = { arch: hostGoArch(), kernel: os.release(), ...target };
  const rules = (p.syscalls ?? []).filter((s) => includes(s.includes, t) && !excluded(s.excludes, t));
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet !== undefined && { defaultErrnoRet: p.defaultErrnoRet }),
    syscalls: rules.map(toOci),
  };
}
