/**
 * `berth ps` rows as docker's ContainerContext renders them: truncated IDs, quoted commands cut at 20
 * columns with an ellipsis, "2 minutes ago", grouped port ranges, the first non-link name.
 */
import type { ContainerSummary } from '../../protocol/types/containers.js';
import { familiarName, familiarString, parseNormalizedNamed } from '../../protocol/reference.js';
import { goTimeString } from './gotime.js';
import { humanSize, since } from './humanize.js';
import { TABLE } from './listing.js';

/** One row: every field docker's ps templates can name, in the order `--format json` prints them. */
export interface ContainerRow {
  Command: string;
  CreatedAt: string;
  ID: string;
  Image: string;
  Labels: string;
  LocalVolumes: string;
  Mounts: string;
  Names: string;
  Networks: string;
  Platform: null;
  Ports: string;
  RunningFor: string;
  Size: string;
  State: string;
  Status: string;
}

/** The table headers of those fields. */
export const CONTAINER_HEADERS: Record<string, string> = {
  Command: 'COMMAND', CreatedAt: 'CREATED AT', ID: 'CONTAINER ID', Image: 'IMAGE', Labels: 'LABELS',
  LocalVolumes: 'LOCAL VOLUMES', Mounts: 'MOUNTS', Names: 'NAMES', Networks: 'NETWORKS', Platform: 'PLATFORM',
  Ports: 'PORTS', RunningFor: 'CREATED', Size: 'SIZE', State: 'STATE', Status: 'STATUS',
};

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** The format for the flags: -q gives IDs only, -s adds SIZE to the default table. */
export function containerFormat(format: string | undefined, quiet: boolean, size: boolean): string {
  if (quiet && (!format || format === TABLE)) return '{{.ID}}';
  if (!format || format === TABLE) return size ? `${DEFAULT_TABLE}\t{{.Size}}` : DEFAULT_TABLE;
  return format;
}

/** docker's TruncateID: without the algorithm, 12 characters. */
export function truncateId(id: string): string {
  const bare = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
  return bare.slice(0, 12);
}

/** Display width as Go's go-runewidth counts it, near enough: East Asian wide runes take two columns. */
function runeWidth(ch: string): number {
  const code = ch.codePointAt(0) ?? 0;
  return /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) || (code >= 0x1f300 && code <= 0x1faff) ? 2 : 1;
}

/** docker's formatter.Ellipsis: cut to `max` columns, the last one an ellipsis. */
export function ellipsis(text: string, max: number): string {
  const runes = [...text];
  if (runes.reduce((w, r) => w + runeWidth(r), 0) <= max) return text;
  let out = '';
  let width = 0;
  for (const r of runes) {
    if (width + runeWidth(r) > max - 1) break;
    out += r;
    width += runeWidth(r);
  }
  return `${out}…`;
}

const GO_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };

/** Go's strconv.Quote: double quotes, Go escapes, other control characters as \xNN. */
export function goQuote(text: string): string {
  const body = [...text].map((c) => {
    const code = c.codePointAt(0) ?? 0;
    if (GO_ESCAPES[c]) return GO_ESCAPES[c];
    if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
    return c;
  });
  return `"${body.join('')}"`;
}

/** The IMAGE column: the ID's short form when the container was made from an ID, else a familiar name. */
export function imageColumn(image: string, imageId: string, trunc: boolean): string {
  if (image === '') return '<no image>';
  if (!trunc) return image;
  if (truncateId(imageId) === truncateId(image)) return truncateId(image);
  try {
    const ref = parseNormalizedNamed(image);
    // The digest is dropped in the short form; a tag is kept.
    return ref.tag !== undefined ? familiarString({ ...ref, digest: undefined }) : familiarName(ref);
  } catch {
    return image;
  }
}

type Port = ContainerSummary['Ports'][number];

function comparePorts(a: Port, b: Port): number {
  if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
  if ((a.IP ?? '') !== (b.IP ?? '')) return (a.IP ?? '') < (b.IP ?? '') ? -1 : 1;
  if ((a.PublicPort ?? 0) !== (b.PublicPort ?? 0)) return (a.PublicPort ?? 0) - (b.PublicPort ?? 0);
  return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
}

function formGroup(key: string, first: number, last: number): string {
  const parts = key.split('/');
  const [ip, type] = parts.length > 1 ? [parts[0]!, parts[1]!] : ['', parts[0]!];
  let group = first === last ? String(first) : `${first}-${last}`;
  if (ip !== '') group = `${ip}:${group}->${group}`;
  return `${group}/${type}`;
}

/** docker's DisplayablePorts: consecutive ports grouped into ranges, remapped ones listed after. */
export function displayablePorts(ports: readonly Port[]): string {
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const mappings: string[] = [];
  for (const port of [...ports].sort(comparePorts)) {
    let key = port.Type;
    if (port.IP) {
      if (port.PublicPort !== port.PrivatePort) {
        const host = port.IP.includes(':') ? `[${port.IP}]` : port.IP;
        mappings.push(`${host}:${port.PublicPort ?? 0}->${port.PrivatePort}/${port.Type}`);
        continue;
      }
      key = `${port.IP}/${port.Type}`;
    }
    const group = groups.get(key);
    if (group && port.PrivatePort === group.last + 1) {
      group.last = port.PrivatePort;
      continue;
    }
    if (group) result.push(formGroup(key, group.first, group.last));
    // Map.set keeps a key's first place, as Go's list of keys in creation order does.
    groups.set(key, { first: port.PrivatePort, last: port.PrivatePort });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...mappings].join(', ');
}

/** What a row needs besides the summary. */
export interface RowOptions {
  noTrunc: boolean;
  nowMs: number;
}

function names(c: ContainerSummary, trunc: boolean): string {
  const all = c.Names.map((n) => n.replace(/^\//, ''));
  // Truncated, only the container's own name: link names have a slash (`/other/alias`).
  const own = trunc ? all.find((n) => !n.includes('/')) : undefined;
  return own !== undefined ? own : all.join(',');
}

function size(c: ContainerSummary): string {
  const rw = humanSize(c.SizeRw ?? 0, 3);
  return (c.SizeRootFs ?? 0) > 0 ? `${rw} (virtual ${humanSize(c.SizeRootFs ?? 0, 3)})` : rw;
}

/** One container as a row. */
export function containerRow(c: ContainerSummary, o: RowOptions): ContainerRow {
  const trunc = !o.noTrunc;
  const mounts = (c.Mounts ?? []).map((m) => (trunc ? ellipsis(m.Name || m.Source, 15) : m.Name || m.Source));
  return {
    Command: goQuote(trunc ? ellipsis(c.Command, 20) : c.Command),
    CreatedAt: goTimeString(c.Created),
    ID: trunc ? truncateId(c.Id) : c.Id,
    Image: imageColumn(c.Image, c.ImageID, trunc),
    Labels: Object.entries(c.Labels ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Type === 'volume').length),
    Mounts: mounts.join(','),
    Names: names(c, trunc),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    Platform: null,
    Ports: displayablePorts(c.Ports ?? []),
    RunningFor: since(c.Created, o.nowMs),
    Size: size(c),
    State: c.State,
    Status: c.Status,
  };
}
