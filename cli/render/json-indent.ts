/**
 * Go's json.Indent: re-indents JSON text without parsing it into values, so numbers, key order and
 * string escapes stay exactly as the daemon sent them (docker inspect prints the raw body this way).
 */

/** Indents JSON text with `indent` per level; `[]` and `{}` stay compact, as in Go. */
export function indentJson(text: string, indent = '    '): string {
  let out = '';
  let depth = 0;
  let inString = false;
  let pendingOpen = false; // an opening bracket whose newline waits to see if it is empty
  const newline = (): string => `\n${indent.repeat(depth)}`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    const justOpened = pendingOpen;
    pendingOpen = false;
    if (justOpened && c !== ']' && c !== '}') out += newline();
    if (c === '{' || c === '[') {
      out += c;
      depth += 1;
      pendingOpen = true;
    } else if (c === '}' || c === ']') {
      depth -= 1;
      out += justOpened ? c : newline() + c;
    } else if (c === ',') {
      out += `,${newline()}`;
    } else if (c === ':') {
      out += ': ';
    } else {
      if (c === '"') inString = true;
      out += c;
    }
  }
  return out;
}
