/** Views of images for GET /images/json (summary, filters) and /history, as the Graph serves them. */
import { labelsAllow, type Filters } from '../../../protocol/filters.js';
import type { ImageConfigFile } from '../../../protocol/types/image.js';
import type { HistoryResponseItem, ImageSummary } from '../../../protocol/types/images-api.js';
import type { GraphDB, ImageRecord } from './graphdb.js';
import { familiarRef, resolveImage } from './lookup.js';

const unix = (iso: string) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

/** One entry of GET /images/json. */
export function summary(image: ImageRecord, refs: string[], config: ImageConfigFile): ImageSummary {
  return {
    Id: image.id, ParentId: image.parent, RepoTags: tags(refs), RepoDigests: image.repoDigests, Created: unix(config.created ?? ''),
    Size: image.size, SharedSize: -1, Labels: config.config?.Labels ?? {}, Containers: -1,
  };
}

/** Whether an image passes the list filters (dangling, label, reference, since, before, until). */
export async function passesFilters(db: GraphDB, configOf: (id: string) => Promise<ImageConfigFile>, refs: string[], config: ImageConfigFile, f: Filters): Promise<boolean> {
  const dangling = f.get('dangling');
  if (dangling?.length && dangling.some((v) => ['true', '1'].includes(v)) !== (refs.length === 0)) return false;
  if (!labelsAllow(f, config.config?.Labels ?? {})) return false;
  if (f.has('reference') && !refs.some((r) => matchesReference(f.get('reference')!, familiarRef(r)))) return false;
  const created = Date.parse(config.created ?? '') || 0;
  for (const [key, newer] of [['since', true], ['before', false]] as const) {
    for (const name of f.get(key) ?? []) {
      const other = Date.parse((await configOf((await resolveImage(db, name)).image.id)).created ?? '') || 0;
      if (newer ? created <= other : created >= other) return false;
    }
  }
  return (f.get('until') ?? []).every((u) => created < untilMs(u));
}

/** The familiar tags among normalized references (digest references are RepoDigests, not tags). */
export function tags(refs: string[]): string[] {
  return refs.filter((r) => !r.includes('@')).map(familiarRef);
}

/** `reference` filter values are shell-like patterns over `name[:tag]` (`busy*`, `*:latest`). */
export function matchesReference(patterns: string[], ref: string): boolean {
  return patterns.some((p) => {
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.')}$`);
    return re.test(ref) || re.test(ref.replace(/:[^:/]+$/, ''));
  });
}

/** An `until` value: unix seconds, or an RFC 3339 date. */
export function untilMs(v: string): number {
  return /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
}

/** GET /images/{name}/history: one entry per history step, newest first, layer sizes on the steps that made one. */
export async function historyOf(db: GraphDB, image: ImageRecord, config: ImageConfigFile): Promise<HistoryResponseItem[]> {
  const refs = tags(await db.refsOf(image.id));
  let layer = 0;
  // Each non-empty history step made the next layer of the chain; its size is that layer's.
  const steps = (config.history ?? []).map((h) => ({
    Id: '<missing>', Created: unix(h.created ?? ''), CreatedBy: h.created_by ?? '', Tags: null as string[] | null, Size: 0, Comment: h.comment ?? '',
    layer: h.empty_layer ? -1 : layer++,
  }));
  for (const s of steps) if (s.layer >= 0) s.Size = (await db.layer(image.chain[s.layer] ?? ''))?.size ?? 0;
  const out: HistoryResponseItem[] = steps.reverse().map(({ layer: _l, ...s }) => s);
  if (out[0]) Object.assign(out[0], { Id: image.id, Tags: refs.length ? refs : null });
  return out;
}
