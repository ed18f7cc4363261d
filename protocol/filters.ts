import { invalidParameter } from './errdefs.js';

/**
 * Docker's `filters` query parameter: a JSON map of key → values. The current form is
 * `{"type":["container"]}`; API versions before 1.25 sent `{"type":{"container":true}}`. Both parse.
 */
export type Filters = Map<string, string[]>;

/** Parses a `filters` query value, refusing keys outside `allowed` with Docker's message. */
export function parseFilters(raw: string | null | undefined, allowed: readonly string[]): Filters {
  const out: Filters = new Map();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidParameter(`invalid filter: filters must be a JSON object of arrays: ${raw}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidParameter(`invalid filter: filters must be a JSON object of arrays: ${raw}`);
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (!allowed.includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    out.set(key, filterValues(key, value));
  }
  return out;
}

function filterValues(key: string, value: unknown): string[] {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  if (value && typeof value === 'object' && Object.values(value).every((v) => typeof v === 'boolean')) {
    return Object.entries(value as Record<string, boolean>).filter(([, on]) => on).map(([k]) => k);
  }
  throw invalidParameter(`invalid filter '${key}': values must be a list of strings`);
}

/** Whether `value` is among the filter's values for `key` (true when the key is not filtered). */
export function filterAllows(filters: Filters, key: string, ...candidates: (string | undefined)[]): boolean {
  const wanted = filters.get(key);
  if (!wanted || wanted.length === 0) return true;
  return candidates.some((c) => c !== undefined && wanted.includes(c));
}

/** Whether labels satisfy every `label` filter (`key` or `key=value`). */
export function labelsAllow(filters: Filters, labels: Record<string, string>): boolean {
  const wanted = filters.get('label') ?? [];
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return w in labels;
    return labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}
