/** What `image inspect` and `inspect` share: fetching raw bodies and printing them as docker does. */
import { indentJson } from './render/json-indent.js';
import { renderFormat } from './render/template.js';

/**
 * The output for the raw JSON bodies found: without a format, one JSON array indented as Go's
 * json.Indent does (the daemon's text kept as is); `json`, the array on one line; a template, a
 * line per object.
 */
export function renderInspect(raws: readonly string[], format: string | undefined): string {
  if (!format) return `${raws.length === 0 ? '[]' : indentJson(`[${raws.join(',')}]`)}\n`;
  if (format.trim() === 'json') return `[${raws.join(',')}]\n`;
  return raws.map((raw) => `${renderFormat(format, JSON.parse(raw))}\n`).join('');
}
