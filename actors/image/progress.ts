import type { Writable } from 'node:stream';

/** One message of Docker's JSON progress stream (pull, push, load, import). */
export interface ProgressMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  errorDetail?: { message: string };
  error?: string;
  aux?: Record<string, unknown>;
}

/** Sizes as Docker's units.HumanSize writes them: decimal units, four significant digits ("1.035MB"). */
export function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

/** The text bar old clients print: `[=====>      ]  1.2MB/3.4MB`, 50 columns wide. */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return `${humanSize(current)}`;
  const filled = Math.min(50, Math.floor((current / total) * 50));
  const bar = filled >= 50 ? '='.repeat(50) : `${'='.repeat(filled)}>${' '.repeat(49 - filled)}`;
  return `[${bar}]  ${humanSize(current)}/${humanSize(total)}`;
}

/**
 * Writes progress messages, one JSON object per line (`\r\n`, as dockerd). Byte counters are throttled
 * so a fast download does not flood the client; the first and last values of each id always go out.
 */
export class ProgressWriter {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly out: Writable | undefined,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 100,
  ) {}

  /** A plain status line, optionally for one id (a layer's short digest, a tag). */
  status(status: string, id?: string): void {
    this.write({ status, ...(id && { id }), ...(id && { progressDetail: {} }) });
  }

  /** A counter: `Downloading 1.2MB/3.4MB` for a layer, throttled. */
  bytes(status: string, id: string, current: number, total: number): void {
    const t = this.now();
    const key = `${status} ${id}`;
    const prev = this.last.get(key);
    if (prev !== undefined && current < total && t - prev < this.everyMs) return;
    this.last.set(key, t);
    this.write({ status, progressDetail: { current, total }, progress: progressBar(current, total), id });
  }

  /** An error in the stream (the HTTP status was already 200). */
  error(message: string): void {
    this.write({ errorDetail: { message }, error: message });
  }

  private write(m: ProgressMessage): void {
    if (this.out && !this.out.writableEnded && !this.out.destroyed) this.out.write(`${JSON.stringify(m)}\r\n`);
  }
}
