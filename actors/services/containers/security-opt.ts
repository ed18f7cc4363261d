/**
 * HostConfig.SecurityOpt, read as dockerd reads it: `no-new-privileges[=bool]`, `seccomp=unconfined
 * | builtin | <profile JSON>` (the docker CLI sends a profile file's content), and the LSM options
 * `label=…` / `apparmor=…`, accepted and without effect (berth applies no LSM, like dockerd on a
 * host without SELinux or AppArmor). Anything else is a 400 at create, in dockerd's words.
 */
import { invalidParameter } from '../../../protocol/errdefs.js';
import type { HostConfig } from '../../../protocol/types/containers.js';
import { DOCKER_DEFAULT_PROFILE } from '../../../drivers/exec/seccomp/default-profile.js';
import { parseSeccompProfile, type SeccompProfile } from '../../../drivers/exec/seccomp/profile.js';
import { resolveSeccomp } from '../../../drivers/exec/seccomp/resolve.js';
import type { OciSpec } from '../../../drivers/exec/spec.js';

/** What a container's SecurityOpt asks for. */
export interface SecurityOptions {
  /** The profile to apply, or null for none (`seccomp=unconfined`). */
  seccomp: SeccompProfile | null;
  noNewPrivileges: boolean;
}

// Go's strconv.ParseBool, which dockerd uses for the boolean options.
const BOOLS: Record<string, boolean> = { 1: true, t: true, T: true, TRUE: true, true: true, True: true, 0: false, f: false, F: false, FALSE: false, false: false, False: false };

function split(opt: string): [string, string] {
  const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : null;
  if (!sep) throw invalidParameter(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
  const at = opt.indexOf(sep);
  return [opt.slice(0, at), opt.slice(at + 1)];
}

function seccompOf(value: string): SeccompProfile | null {
  if (value === 'unconfined') return null;
  if (value === 'builtin' || value === '') return DOCKER_DEFAULT_PROFILE;
  return parseSeccompProfile(value);
}

/** Parses SecurityOpt; an unknown or malformed option is an InvalidParameter. */
export function parseSecurityOpt(opts: readonly string[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = { seccomp: DOCKER_DEFAULT_PROFILE, noNewPrivileges: false };
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') continue;
    const [key, value] = split(opt);
    if (key === 'seccomp') out.seccomp = seccompOf(value);
    else if (key === 'no-new-privileges' && value in BOOLS) out.noNewPrivileges = BOOLS[value]!;
    else if (key !== 'label' && key !== 'apparmor') throw invalidParameter(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
  }
  return out;
}

/**
 * Puts the container's seccomp profile (made concrete for its capabilities) and no_new_privs into
 * the spec. A privileged container gets no filter at all, as in Docker.
 */
export function applySecurityOpt(spec: OciSpec, h: HostConfig, caps: readonly string[]): void {
  const sec = parseSecurityOpt(h.SecurityOpt);
  spec.process.noNewPrivileges = sec.noNewPrivileges;
  const profile = h.Privileged ? null : sec.seccomp;
  if (profile) spec.linux!.seccomp = resolveSeccomp(profile, { caps });
  else delete spec.linux!.seccomp;
}
