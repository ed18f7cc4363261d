/**
 * `-v/--volume`, `--mount` and `--tmpfs` as the docker CLI turns them into the create body: `-v` specs
 * with a source go to HostConfig.Binds and anonymous ones to Config.Volumes; `--mount` CSV goes to
 * HostConfig.Mounts; `--tmpfs` to HostConfig.Tmpfs.
 */
import { resolve } from 'node:path';
import type { MountSpec } from '../../protocol/types/containers.js';
import { keyValueMap, parseBytes } from './parse.js';

/** The `-v` values split as docker does: binds (source given) and anonymous volumes (target only). */
export function volumeSpecs(specs: readonly string[]): { Binds: string[] | null; Volumes: Record<string, Record<string, never>> } {
  const binds: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  for (const spec of specs) {
    const parts = spec.split(':');
    if (parts.length > 3) throw new Error(`invalid spec: ${spec}: too many colons`);
    if (parts.length === 1) {
      volumes[spec] = {};
      continue;
    }
    // docker makes a relative host path (`./data:/data`) absolute; a bare name is a named volume.
    const [source = '', ...rest] = parts;
    binds.push(source.startsWith('.') ? [resolve(source), ...rest].join(':') : spec);
  }
  return { Binds: binds.length > 0 ? binds : null, Volumes: volumes };
}

/** `--tmpfs /run:rw,size=64m` values into HostConfig.Tmpfs; undefined when there are none. */
export function tmpfsMap(specs: readonly string[]): Record<string, string> | undefined {
  if (specs.length === 0) return undefined;
  const map: Record<string, string> = {};
  for (const spec of specs) {
    const colon = spec.indexOf(':');
    if (colon === -1) map[spec] = '';
    else map[spec.slice(0, colon)] = spec.slice(colon + 1);
  }
  return map;
}

/** Splits a CSV record as Go's encoding/csv does for one line: commas, with "quoted" fields. */
function csvFields(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') field += text[++i];
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

function parseBool(key: string, value: string | undefined): boolean {
  if (value === undefined || ['1', 't', 'true', 'T', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'false', 'F', 'FALSE', 'False'].includes(value)) return false;
  throw new Error(`invalid value for ${key}: ${value}`);
}

type Setter = (m: MountSpec, value: string | undefined, key: string) => void;

const need = (key: string, value: string | undefined): string => {
  if (value === undefined) throw new Error(`invalid field '${key}' must be a key=value pair`);
  return value;
};

// docker's --mount keys and where each lands in the Mount.
const SETTERS: Record<string, Setter> = {
  type: (m, v, k) => (m.Type = need(k, v) as MountSpec['Type']),
  source: (m, v, k) => (m.Source = need(k, v)),
  target: (m, v, k) => (m.Target = need(k, v)),
  readonly: (m, v, k) => (m.ReadOnly = parseBool(k, v)),
  consistency: (m, v, k) => (m.Consistency = need(k, v)),
  'bind-propagation': (m, v, k) => ((m.BindOptions ??= {}).Propagation = need(k, v)),
  'bind-nonrecursive': (m, v, k) => ((m.BindOptions ??= {}).NonRecursive = parseBool(k, v)),
  'volume-nocopy': (m, v, k) => ((m.VolumeOptions ??= {}).NoCopy = parseBool(k, v)),
  'volume-label': (m, v, k) => Object.assign(((m.VolumeOptions ??= {}).Labels ??= {}), keyValueMap([need(k, v)])),
  'volume-driver': (m, v, k) => (((m.VolumeOptions ??= {}).DriverConfig ??= {}).Name = need(k, v)),
  'volume-opt': (m, v, k) => Object.assign((((m.VolumeOptions ??= {}).DriverConfig ??= {}).Options ??= {}), keyValueMap([need(k, v)])),
  'tmpfs-size': (m, v, k) => ((m.TmpfsOptions ??= {}).SizeBytes = parseBytes(need(k, v))),
  'tmpfs-mode': (m, v, k) => ((m.TmpfsOptions ??= {}).Mode = parseInt(need(k, v), 8)),
};
const ALIASES: Record<string, string> = { src: 'source', dst: 'target', destination: 'target', ro: 'readonly' };

/** One `--mount` value: `type=bind,source=/a,target=/b,readonly`. */
export function parseMount(text: string): MountSpec {
  const mount = { Type: 'volume' } as MountSpec;
  for (const field of csvFields(text)) {
    const eq = field.indexOf('=');
    const rawKey = (eq === -1 ? field : field.slice(0, eq)).trim().toLowerCase();
    const key = ALIASES[rawKey] ?? rawKey;
    const setter = SETTERS[key];
    if (!setter) throw new Error(`unexpected key '${rawKey}' in '${field}'`);
    setter(mount, eq === -1 ? undefined : field.slice(eq + 1), rawKey);
  }
  if (!mount.Target) throw new Error('target is required');
  // docker always gives volume options a (possibly empty) driver config, after its other fields.
  if (mount.VolumeOptions) {
    const { NoCopy, Labels, DriverConfig } = mount.VolumeOptions;
    mount.VolumeOptions = { ...(NoCopy !== undefined ? { NoCopy } : {}), ...(Labels ? { Labels } : {}), DriverConfig: DriverConfig ?? {} };
  }
  if (mount.BindOptions && mount.Type !== 'bind') throw new Error(`cannot mix 'bind-*' options with mount type '${mount.Type}'`);
  if (mount.VolumeOptions && mount.Type !== 'volume') throw new Error(`cannot mix 'volume-*' options with mount type '${mount.Type}'`);
  if (mount.TmpfsOptions && mount.Type !== 'tmpfs') throw new Error(`cannot mix 'tmpfs-*' options with mount type '${mount.Type}'`);
  return mount;
}
