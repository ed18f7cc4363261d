/**
 * `--format`: `json`, or a small subset of Go templates — `{{.Field.Path}}` and `{{json .Field}}` —
 * enough for the scripts people write against `docker version --format '{{.Server.Version}}'`.
 */
import { invalidParameter } from '../../protocol/errdefs.js';

/** Renders data with a --format value (without the trailing newline). */
export function renderFormat(format: string, data: unknown): string {
  if (format.trim() === 'json') return goJson(data);
  return format.replace(/\{\{(.*?)\}\}/g, (_, action: string) => renderAction(action.trim(), data));
}

function renderAction(action: string, data: unknown): string {
  const m = /^(json\s+)?(\.[A-Za-z0-9_.]*)$/.exec(action);
  if (!m?.[2]) {
    throw invalidParameter(`template: unsupported action "{{${action}}}" (berth supports {{.Path}} and {{json .Path}})`);
  }
  const value = lookup(data, m[2]);
  return m[1] ? goJson(value ?? null) : show(value);
}

const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** JSON as Go's encoding/json writes it (`<`, `>`, `&`, U+2028/9 escaped), so output matches docker's byte for byte. */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

/** Follows a `.A.B` path; a missing step gives undefined, shown as Go shows a missing map key. */
function lookup(data: unknown, path: string): unknown {
  let value = data;
  for (const key of path.split('.').filter(Boolean)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return '<no value>';
  if (value === null) return '<nil>';
  // Objects print as JSON rather than Go's map[...] syntax: more useful, and parseable.
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
