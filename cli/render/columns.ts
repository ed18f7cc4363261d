/** A tiny stand-in for Go's text/tabwriter, as `docker version` uses it (min width 20, padding 1). */

/** A line of output: literal text, or a [label, value] pair whose values line up with their neighbours'. */
export type Line = string | readonly [label: string, value: string];

const MIN_WIDTH = 20;

/**
 * Aligns the values of consecutive pairs in one column; a literal line ends the run, as a line
 * without a tab ends a tabwriter column block.
 */
export function alignLines(lines: readonly Line[]): string[] {
  const out: string[] = [];
  let run: (readonly [string, string])[] = [];
  const flush = (): void => {
    const width = Math.max(MIN_WIDTH, ...run.map(([label]) => label.length + 1));
    for (const [label, value] of run) out.push((label.padEnd(width) + value).trimEnd());
    run = [];
  };
  for (const line of lines) {
    if (typeof line === 'string') {
      flush();
      out.push(line);
    } else {
      run.push(line);
    }
  }
  flush();
  return out;
}
