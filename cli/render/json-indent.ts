/**
 * Go's json.Indent and json.Compact: they rewrite JSON text without parsing it into values, so
 * numbers, key order and string escapes stay exactly as written (docker inspect prints the raw
 * body this way; docker run sends a seccomp profile compacted). Both walk the same tokens.
 */

/** JSON text as Go's scanner walks it: each string literal whole, escapes untouched; every other character alone; whitespace outside strings dropped. */
export function* jsonTokens(text: string): Generator<string> {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      yield text.slice(i, end + 1);
      i = end;
    } else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') {
      yield c;
    }
  }
}

/** Go's json.Compact: the same text without whitespace outside strings. */
export function compactJson(text: string): string {
  let out = '';
  for (const tok of jsonTokens(text)) out += tok;
  return out;
}

/** Indents JSON text with `indent` per level; `[]` and `{}` stay compact, as in Go. */
export function indentJson(text: string, indent = '    '): string {
  let out = '';
  let depth = 0;
  let pendingOpen = false; // an opening bracket whose newline waits to see if it is empty
  const newline = (): string => `\n${indent.repeat(depth)}`;
  for (const c of jsonTokens(text)) {
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
      out += c;
    }
  }
  return out;
}
