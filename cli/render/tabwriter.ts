/**
 * Go's text/tabwriter as the docker CLI configures it for tables (minwidth 10, padding 3, spaces):
 * cells end at a tab; a column's width is set per *block* of consecutive lines that have a cell in
 * it, and the last cell of a line is never padded. The same recursion as Go's, so odd templates
 * (a `\n` inside a row, rows with fewer cells) line up exactly as docker's do.
 */

/** Column layout: Go's minwidth and padding. */
export interface TabOptions {
  minWidth: number;
  padding: number;
}

/** The layout of docker's tables. */
export const DOCKER_TABLE: TabOptions = { minWidth: 10, padding: 3 };

/** Aligns tab-separated text; `text` is whole lines joined with `\n`. */
export function tabwrite(text: string, options: TabOptions = DOCKER_TABLE): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];
  const write = (from: number, to: number): void => {
    for (let i = from; i < to; i++) out.push(renderLine(lines[i] ?? [], widths));
  };
  format(lines, 0, lines.length, widths, options, write);
  return out.join('\n');
}

function format(lines: string[][], start: number, end: number, widths: number[], options: TabOptions, write: (from: number, to: number) => void): void {
  const column = widths.length;
  let line0 = start;
  for (let i = start; i < end; i++) {
    if (column >= (lines[i]?.length ?? 0) - 1) continue;
    // A block of lines with a cell in this column starts here: print what comes before it.
    write(line0, i);
    line0 = i;
    let width = options.minWidth;
    for (; i < end && column < (lines[i]?.length ?? 0) - 1; i++) {
      width = Math.max(width, cellWidth(lines[i]?.[column] ?? '') + options.padding);
    }
    widths.push(width);
    format(lines, line0, i, widths, options, write);
    widths.pop();
    // Like Go, the loop's i++ skips the line that ended the block: it has no cell here anyway.
    line0 = i;
  }
  write(line0, end);
}

function renderLine(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i < cells.length - 1 ? cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - cellWidth(cell))) : cell)).join('');
}

/** Width in runes, as Go counts it (not UTF-16 code units). */
function cellWidth(cell: string): number {
  return [...cell].length;
}
