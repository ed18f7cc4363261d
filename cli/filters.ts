/** The `-f/--filter key=value` flags and their wire form, the `filters` query parameter. */
import { invalidParameter } from '../protocol/errdefs.js';

/** Filters as the API takes them: a JSON map of key to the accepted values. */
export type Filters = Record<string, string[]>;

/**
 * Collects `key=value` flags into a map. Keys are lower-cased and values trimmed as docker does; the
 * value keeps any further `=` (`label=com.example=1` filters on label `com.example=1`).
 */
export function parseFilters(values: readonly string[]): Filters {
  const filters: Filters = {};
  for (const raw of values) {
    const text = raw.trim();
    const eq = text.indexOf('=');
    if (eq <= 0) throw invalidParameter(`bad format of filter "${raw}" (expected name=value)`);
    const key = text.slice(0, eq).trim().toLowerCase();
    const value = text.slice(eq + 1).trim();
    const list = (filters[key] ??= []);
    if (!list.includes(value)) list.push(value);
  }
  return filters;
}

/** The `filters` query value, or undefined when there is none (the parameter is then left out). */
export function encodeFilters(filters: Filters): string | undefined {
  return Object.keys(filters).length === 0 ? undefined : JSON.stringify(filters);
}
