/**
 * Lists rendered with a --format, as docker's formatter.Context does it: `table <template>` gives a
 * header row and tabwriter columns, `json` one JSON object per row, anything else the template per
 * row. `\t` and `\n` typed literally in the format become a tab and a newline.
 */
import { tabwrite } from './tabwriter.js';
import { renderFormat } from './template.js';

/** The format docker uses when none is given: its default table. */
export const TABLE = 'table';

/** Whether a --format value asks for a table. */
export function isTable(format: string): boolean {
  return format.startsWith(TABLE);
}

/** The template that each row goes through, after docker's preFormat. */
function rowTemplate(format: string): string {
  let template = format;
  if (isTable(format)) template = format.slice(TABLE.length);
  else if (format === 'json') template = '{{json .}}';
  // Go trims spaces only (strings.Trim(s, " ")), not tabs or newlines.
  return template.replace(/^ +| +$/g, '').replaceAll('\\t', '\t').replaceAll('\\n', '\n');
}

/**
 * All rows rendered, each line ending in `\n` (empty when a non-table list has no rows).
 * `headers` names the header of each field, for table formats.
 */
export function renderListing(format: string, rows: readonly object[], headers: Readonly<Record<string, string>>): string {
  const template = rowTemplate(format);
  const body = rows.map((row) => `${renderFormat(template, row)}\n`).join('');
  if (!isTable(format)) return body;
  // In the header row docker's template functions (json, join…) print nothing.
  const header = renderFormat(template.replace(/\{\{\s*json\b[^}]*\}\}/g, ''), headers);
  return tabwrite(`${header}\n${body}`);
}
