/**
 * Docker's json-file log lines, for the fake backend (the native shim writes its own in Rust) and
 * for reading logs back: `{"log":"text\n","stream":"stdout","time":"RFC 3339 with ns"}` per line.
 */
import { appendFileSync, readFileSync } from 'node:fs';

/** One log entry. */
export interface JsonLogEntry {
  log: string;
  stream: 'stdout' | 'stderr';
  time: string;
}

/** dockerd cuts longer lines into entries of this many bytes. */
const MAX_LINE = 16 * 1024;

/** Appends a stream's output to a json-file log, one entry per line. */
export class JsonLogWriter {
  private pending = new Map<string, Buffer>();

  constructor(private readonly file: string) {}

  /** Logs a chunk of one stream; complete lines are written now. */
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    let buf = Buffer.concat([this.pending.get(stream) ?? Buffer.alloc(0), chunk]);
    const lines: Buffer[] = [];
    for (let nl = buf.indexOf(10); nl >= 0 || buf.length >= MAX_LINE; nl = buf.indexOf(10)) {
      const cut = nl >= 0 && nl < MAX_LINE ? nl + 1 : MAX_LINE;
      lines.push(buf.subarray(0, cut));
      buf = buf.subarray(cut);
    }
    this.pending.set(stream, buf);
    this.append(stream, lines);
  }

  /** Writes what is left of each stream (a last line without a newline). */
  flush(): void {
    for (const [stream, buf] of this.pending) if (buf.length) this.append(stream as 'stdout' | 'stderr', [buf]);
    this.pending.clear();
  }

  private append(stream: 'stdout' | 'stderr', lines: Buffer[]): void {
    if (!lines.length) return;
    const time = new Date().toISOString();
    appendFileSync(this.file, lines.map((l) => `${JSON.stringify({ log: l.toString('utf8'), stream, time })}\n`).join(''));
  }
}

/** Reads a json-file log (a missing file is an empty log). */
export function readJsonLog(file: string): JsonLogEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as JsonLogEntry);
}
