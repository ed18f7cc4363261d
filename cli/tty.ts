/**
 * The local terminal during `run -it`, `attach`, `exec -it`: raw mode while attached, and the
 * container's (or exec's) TTY kept at the terminal's size, as docker's MonitorTtySize does it.
 */
import type { ApiClient } from './api.js';

/** A terminal size in docker's order: rows (h), then columns (w). */
export interface TtySize {
  rows: number;
  cols: number;
}

/** The size of the terminal on stdout, or undefined when stdout is not a terminal. */
export function terminalSize(out: NodeJS.WriteStream = process.stdout): TtySize | undefined {
  if (!out.isTTY || !out.rows || !out.columns) return undefined;
  return { rows: out.rows, cols: out.columns };
}

/**
 * Puts a terminal stdin into raw mode (keys reach the container as typed: Ctrl-C is a byte, not
 * SIGINT); returns the undo, safe to call more than once. A non-terminal stdin is left alone.
 */
export function makeRaw(input: NodeJS.ReadStream = process.stdin): () => void {
  if (!input.isTTY) return () => undefined;
  input.setRawMode(true);
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    input.setRawMode(false);
  };
  // Whatever way the process ends, the user must get a sane terminal back.
  process.once('exit', restore);
  return restore;
}

/** POSTs a resize of `path` (`/containers/{id}` or `/exec/{id}`) to the terminal's size. */
export async function resizeTo(client: ApiClient, path: string, size: TtySize): Promise<void> {
  await client.text('POST', `${path}/resize`, { query: { h: String(size.rows), w: String(size.cols) } });
}

const RETRIES = 10;

/**
 * The first resize: the process may not be running yet, so retry like docker (10 tries, sleeping
 * 10 ms more each time), then print docker's warning and go on at the default size.
 */
async function initialResize(client: ApiClient, path: string, size: TtySize): Promise<void> {
  for (let attempt = 0; attempt <= RETRIES; attempt++) {
    try {
      return await resizeTo(client, path, size);
    } catch {
      if (attempt === RETRIES) break;
      await new Promise((resolve) => setTimeout(resolve, (attempt + 1) * 10));
    }
  }
  process.stderr.write('failed to resize tty, using default size\n');
}

/**
 * Resizes now and on every SIGWINCH until the returned stop() is called. Nothing to do when stdout
 * is not a terminal (docker checks the same).
 */
export function monitorTtySize(client: ApiClient, path: string): () => void {
  const first = terminalSize();
  if (!first) return () => undefined;
  void initialResize(client, path, first);
  const onWinch = (): void => {
    const size = terminalSize();
    if (size) void resizeTo(client, path, size).catch(() => undefined);
  };
  process.on('SIGWINCH', onWinch);
  return () => process.off('SIGWINCH', onWinch);
}
