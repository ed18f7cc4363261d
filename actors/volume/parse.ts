import { invalidParameter } from '../../protocol/errdefs.js';
import type { ContainerConfig, HostConfig, MountSpec } from '../../protocol/types/containers.js';

/** One mount a container asks for, before its volumes exist. */
export interface PlannedMount {
  Type: 'bind' | 'volume' | 'tmpfs';
  /** A volume's name; null for an anonymous volume (made for this container). */
  Name: string | null;
  /** A bind's host path ('' for volumes and tmpfs). */
  Source: string;
  Destination: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
  /** Copy the image's content at the destination into the volume when it is empty (not `nocopy`). */
  copy: boolean;
  /** `-v /host:/ctr` makes a missing host directory (dockerd's old rule); `--mount` refuses it. */
  makeSource: boolean;
  labels: Record<string, string>;
}

const PROPAGATION = /^r?(private|shared|slave)$/;
const MODE_WORD = /^(ro|rw|z|Z|nocopy|consistent|cached|delegated|r?(private|shared|slave))$/;

const invalidSpec = (raw: string) => invalidParameter(`invalid volume specification: '${raw}'`);

function checkTarget(raw: string, target: string): void {
  if (!target.startsWith('/')) throw invalidParameter(`invalid volume specification: '${raw}': invalid mount config for type "volume": invalid mount path: '${target}' mount path must be absolute`);
  if (target === '/') throw invalidParameter(`invalid volume specification: '${raw}': invalid mount config for type "bind": invalid specification: destination can't be '/'`);
}

/** One `-v` / Binds entry: `/ctr` (anonymous), `name:/ctr[:mode]` (named) or `/host:/ctr[:mode]` (bind). */
export function parseBind(raw: string): PlannedMount {
  const parts = raw.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw invalidSpec(raw);
  // Destination and mode without a source is not a volume: volumes cannot take a mode.
  if (parts.length === 2 && parts[1]!.split(',').every((w) => MODE_WORD.test(w))) throw invalidSpec(raw);
  const [src, dst, mode = ''] = parts.length === 1 ? ['', parts[0]!] : (parts as [string, string, string?]);
  const words = mode ? mode.split(',') : [];
  if (!words.every((w) => MODE_WORD.test(w))) throw invalidParameter(`invalid mode: ${mode}`);
  checkTarget(raw, dst);
  const bind = src.startsWith('/');
  const base = { Source: bind ? src : '', Destination: dst, RW: !words.includes('ro'), labels: {} };
  if (bind) return { ...base, Type: 'bind', Name: null, Mode: mode, Propagation: words.find((w) => PROPAGATION.test(w)) ?? 'rprivate', copy: false, makeSource: true };
  // dockerd shows mode "z" for `-v name:/ctr` without one (its default SELinux relabel mode).
  return { ...base, Type: 'volume', Name: src || null, Mode: mode || (src ? 'z' : ''), Propagation: '', copy: !words.includes('nocopy'), makeSource: false };
}

/** One HostConfig.Mounts entry (`--mount`). */
export function parseMountSpec(m: MountSpec): PlannedMount {
  const raw = `${m.Type} ${m.Target}`;
  if (!m.Target) throw invalidParameter(`invalid mount config for type "${m.Type}": field Target must not be empty`);
  checkTarget(raw, m.Target);
  const base = { Destination: m.Target, Mode: '', RW: !m.ReadOnly, makeSource: false, labels: {} };
  if (m.Type === 'bind') {
    if (!m.Source?.startsWith('/')) throw invalidParameter(`invalid mount config for type "bind": invalid mount path: '${m.Source ?? ''}' mount path must be absolute`);
    return { ...base, Type: 'bind', Name: null, Source: m.Source, Propagation: m.BindOptions?.Propagation || 'rprivate', copy: false };
  }
  if (m.Type === 'volume') {
    return { ...base, Type: 'volume', Name: m.Source || null, Source: '', Propagation: '', copy: !m.VolumeOptions?.NoCopy, labels: m.VolumeOptions?.Labels ?? {} };
  }
  if (m.Type === 'tmpfs') return { ...base, Type: 'tmpfs', Name: null, Source: '', Propagation: '', copy: false };
  throw invalidParameter(`invalid mount config: mount type ${m.Type} is not supported`);
}

/**
 * Every mount of a new container: Binds, then Mounts, then anonymous volumes for the image's (and
 * the request's) VOLUME paths that nothing else covers. Two mounts on one path are dockerd's 400.
 */
export function planMounts(config: ContainerConfig, host: HostConfig): PlannedMount[] {
  const out = [...(host.Binds ?? []).map(parseBind), ...(host.Mounts ?? []).map(parseMountSpec)];
  const seen = new Set<string>();
  for (const m of out) {
    const dst = m.Destination.replace(/\/+$/, '') || '/';
    if (seen.has(dst)) throw invalidParameter(`Duplicate mount point: ${dst}`);
    seen.add(dst);
  }
  for (const dst of Object.keys(config.Volumes ?? {})) {
    const clean = dst.replace(/\/+$/, '') || '/';
    if (seen.has(clean) || Object.keys(host.Tmpfs ?? {}).includes(clean)) continue;
    seen.add(clean);
    out.push({ ...parseBind(clean), Mode: '' });
  }
  return out;
}
