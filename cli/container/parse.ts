/**
 * Parsers of single container option values, with the rules and the error texts of the docker CLI
 * (go-units RAMInBytes, NanoCPUs, ParseRestartPolicy, capability names, key=value lists).
 */
import type { RestartPolicy, RestartPolicyName } from '../../protocol/types/containers.js';

const BINARY: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** go-units RAMInBytes: `16m`, `1.5g`, `512KiB`, `100` (bytes); binary units, case-insensitive. */
export function parseBytes(text: string): number {
  const sep = Math.max(...[...'0123456789. '].map((c) => text.lastIndexOf(c)));
  if (sep === -1) throw new Error(`invalid size: '${text}'`);
  const num = text.slice(0, text[sep] === ' ' ? sep : sep + 1);
  const size = /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(num) ? Number(num) : NaN;
  if (Number.isNaN(size)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(num)}: invalid syntax`);
  const suffix = text.slice(sep + 1).toLowerCase();
  if (suffix === '' || suffix === 'b') return Math.trunc(size);
  const unit = BINARY[suffix[0]!];
  const rest = suffix.slice(1);
  if (unit === undefined || suffix.length > 3 || !['', 'b', 'ib'].includes(rest)) throw new Error(`invalid suffix: '${suffix}'`);
  return Math.trunc(size * unit);
}

/** `--memory-swap`: a size, or -1 for unlimited swap. */
export function parseSwap(text: string): number {
  return text === '-1' ? -1 : parseBytes(text);
}

/** `--cpus 1.5` → NanoCpus 1500000000, refusing what a whole number of nanoseconds cannot hold. */
export function parseCpus(text: string): number {
  if (!/^(\d+\.?\d*|\.\d+)$/.test(text)) throw new Error(`failed to parse ${text} as a rational number`);
  const [whole = '0', fraction = ''] = text.split('.');
  if (fraction.replace(/0+$/, '').length > 9) throw new Error('value is too precise');
  return Number(whole) * 1e9 + Number(fraction.padEnd(9, '0').slice(0, 9));
}

/** docker's ParseRestartPolicy: `no`, `always`, `unless-stopped`, `on-failure[:N]` (the daemon checks names). */
export function parseRestart(text: string): RestartPolicy {
  const colon = text.indexOf(':');
  const name = colon === -1 ? text : text.slice(0, colon);
  const count = colon === -1 ? '' : text.slice(colon + 1);
  if (colon !== -1 && name === '') throw new Error('invalid restart policy format: no policy provided before colon');
  if (count !== '' && !/^[-+]?\d+$/.test(count)) throw new Error('invalid restart policy format: maximum retry count must be an integer');
  return { Name: name as RestartPolicyName, MaximumRetryCount: count === '' ? 0 : Number(count) };
}

/** docker's normalizeCaps: upper case, `CAP_` prefixed (except ALL), unique, sorted; null when none. */
export function normalizeCaps(caps: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const raw of caps) {
    const upper = raw.toUpperCase();
    const cap = upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!out.includes(cap)) out.push(cap);
  }
  if (out.includes('ALL')) return ['ALL'];
  return out.length > 0 ? out.sort() : null;
}

/** Both lists normalized; which wins when a capability is in both is the daemon's call, as with docker. */
export function effectiveCaps(add: readonly string[], drop: readonly string[]): { CapAdd: string[] | null; CapDrop: string[] | null } {
  return { CapAdd: normalizeCaps(add), CapDrop: normalizeCaps(drop) };
}

/** `k=v` strings into a map; a bare `k` maps to '' (docker's ConvertKVStringsToMap, for labels). */
export function keyValueMap(items: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq === -1) map[item] = '';
    else map[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return map;
}

/** An integer flag value (`--pids-limit`, `--stop-timeout`, `-t`). */
export function parseInteger(text: string): number {
  if (!/^[-+]?\d+$/.test(text)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}
