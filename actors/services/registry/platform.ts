/**
 * Platforms and the choice of one manifest out of an index, after containerd's `platforms.Only`
 * (what dockerd pulls with): the host's own platform first, then the ones it can also run
 * (amd64 runs 386; arm64 runs arm v8…v5; arm v7 runs v6 and v5).
 */
import os from 'node:os';
import { invalidParameter } from '../../../protocol/errdefs.js';
import type { Descriptor, Platform } from '../../../protocol/types/image.js';

const ARCH_ALIASES: Record<string, [string, string?]> = {
  x86_64: ['amd64'],
  x86: ['386'],
  i386: ['386'],
  i686: ['386'],
  aarch64: ['arm64'],
  armhf: ['arm', 'v7'],
  armel: ['arm', 'v6'],
};

/** Node's `process.arch` in GOARCH words. */
const NODE_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };

/** The platform of this host, as Docker names it (`linux/amd64`, `linux/arm64/v8`, `linux/arm/v7`). */
export function hostPlatform(): Platform {
  const architecture = NODE_ARCH[process.arch] ?? process.arch;
  const p: Platform = { os: os.platform() === 'win32' ? 'windows' : os.platform(), architecture };
  if (architecture === 'arm64') p.variant = 'v8';
  if (architecture === 'arm') {
    const armVersion = (process.config.variables as Record<string, unknown>)['arm_version'];
    p.variant = `v${typeof armVersion === 'string' || typeof armVersion === 'number' ? armVersion : 7}`;
  }
  return p;
}

/** Canonical names: lowercase, aliases resolved, default variants filled (arm64 → v8, arm → v7). */
export function normalizePlatform(p: Platform): Platform {
  const osName = p.os.toLowerCase();
  let architecture = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase() ?? '';
  const alias = ARCH_ALIASES[architecture];
  if (alias) [architecture, variant] = [alias[0], alias[1] ?? variant];
  if (/^\d/.test(variant)) variant = `v${variant}`;
  if (architecture === 'arm64' && (variant === '' || variant === 'v8.0')) variant = 'v8';
  if (architecture === 'arm' && variant === '') variant = 'v7';
  if (architecture === 'amd64' && variant === 'v1') variant = '';
  const out: Platform = { os: osName, architecture };
  if (variant) out.variant = variant;
  return out;
}

/** `os/arch[/variant]`, as Docker prints platforms. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/**
 * Parses the `platform` parameter of the API (`linux`, `linux/arm64`, `linux/arm/v7`); a bare
 * architecture means this host's OS, as containerd reads it.
 */
export function parsePlatform(s: string): Platform {
  const parts = s.trim().split('/');
  if (parts.length > 3 || parts.some((x) => x === '')) {
    throw invalidParameter(`"${s}": unknown operating system or architecture: invalid argument`);
  }
  const host = hostPlatform();
  const [a, b, c] = parts as [string, string?, string?];
  if (parts.length === 1) {
    const known = ['linux', 'windows', 'darwin', 'freebsd'].includes(a.toLowerCase());
    return normalizePlatform(known ? { ...host, os: a } : { os: host.os, architecture: a });
  }
  const p: Platform = { os: a, architecture: b ?? '' };
  if (c) p.variant = c;
  return normalizePlatform(p);
}

/** Whether `have` (an index entry or image config) satisfies exactly `want`, after normalization. */
export function platformEquals(want: Platform, have: Platform): boolean {
  const w = normalizePlatform(want);
  const h = normalizePlatform(have);
  return w.os === h.os && w.architecture === h.architecture && (w.variant ?? '') === (h.variant ?? '');
}

/** The platforms a host of `want` runs, best first. */
export function compatiblePlatforms(want: Platform): Platform[] {
  const p = normalizePlatform(want);
  const vector: Platform[] = [];
  const add = (architecture: string, variant?: string) => vector.push(variant ? { os: p.os, architecture, variant } : { os: p.os, architecture });
  const level = Number((p.variant ?? '').replace(/^v/, ''));
  if (p.architecture === 'amd64') {
    for (let v = Number.isInteger(level) && level > 1 ? level : 1; v >= 1; v--) add('amd64', v > 1 ? `v${v}` : undefined);
    add('386');
  } else if (p.architecture === 'arm64') {
    add('arm64', p.variant);
    for (let v = 8; v >= 5; v--) add('arm', `v${v}`);
  } else if (p.architecture === 'arm' && Number.isInteger(level)) {
    for (let v = level; v >= 5; v--) add('arm', `v${v}`);
  } else {
    vector.push(p);
  }
  return vector;
}

/** Whether a host of `want` can run `have` (containerd's `Only(want).Match(have)`). */
export function platformMatches(want: Platform, have: Platform): boolean {
  return compatiblePlatforms(want).some((c) => platformEquals(c, have));
}

/**
 * The index entry a host of `want` should pull: the best-ranked compatible platform, in index
 * order among equals; entries without a platform are skipped (attestations and the like).
 */
export function selectPlatform(entries: Descriptor[], want: Platform = hostPlatform()): Descriptor | undefined {
  for (const candidate of compatiblePlatforms(want)) {
    const hit = entries.find((d) => d.platform !== undefined && platformEquals(candidate, d.platform));
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Decodes the JSON-encoded OCI platform of API 1.46+ parameters (ImagePush's `platform`), with the
 * checks and words of dockerd's httputils.DecodePlatform: OS and architecture are both required.
 */
export function decodePlatformJson(s: string): Platform {
  let raw: unknown;
  try {
    raw = JSON.parse(s);
  } catch (err) {
    throw invalidParameter(`failed to parse platform: ${(err as Error).message}`, err);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidParameter('failed to parse platform: not a JSON object');
  const field = (k: string) => {
    const v: unknown = Reflect.get(raw as object, k);
    if (v !== undefined && typeof v !== 'string') throw invalidParameter(`failed to parse platform: ${k} is not a string`);
    return v ?? '';
  };
  const p: Platform = { os: field('os'), architecture: field('architecture') };
  const variant = field('variant');
  if (variant) p.variant = variant;
  const optional = variant !== '' || field('os.version') !== '' || (Reflect.get(raw, 'os.features') as unknown[] | undefined)?.length;
  if (!p.os && !p.architecture && optional) throw invalidParameter('optional platform fields provided, but OS and Architecture are missing');
  if (!p.os || !p.architecture) throw invalidParameter('both OS and Architecture must be provided');
  return p;
}
