/**
 * Reading a json-file log that the shim rotates (NAME → NAME.1 → … → NAME.<max-file - 1>): the
 * rotated files oldest first, then the live one; and following the live one across rotations.
 */
import { watch } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { JsonLogEntry } from '../../drivers/exec/jsonlog.js';

/** The rotated files of a log, oldest (highest number) first. */
export async function rotatedFiles(file: string): Promise<string[]> {
  if (!file) return []; // no log (driver none)
  const base = path.basename(file);
  const names = await readdir(path.dirname(file)).catch(() => [] as string[]);
  return names
    .map((n) => (n.startsWith(`${base}.`) && /^\d+$/.test(n.slice(base.length + 1)) ? Number(n.slice(base.length + 1)) : 0))
    .filter((n) => n > 0)
    .sort((a, b) => b - a)
    .map((n) => `${file}.${n}`);
}

/** Complete lines of a text, and what is left after the last newline. */
function splitLines(text: string): { lines: string[]; rest: string } {
  const lines = text.split('\n');
  const rest = lines.pop() ?? '';
  return { lines: lines.filter(Boolean), rest };
}

const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as JsonLogEntry);

/**
 * The live log file, read from an open handle: what a rotation renames away is read to its end
 * before the reader moves on to the new file of the same name.
 */
export class LiveLog {
  private fd: FileHandle | null = null;
  private ino = -1;
  private pos = 0;
  private rest = '';

  constructor(readonly file: string) {}

  /** Opens the live file now (before the rotated ones are read, so nothing is lost in between). */
  async open(): Promise<void> {
    if (!this.file) return;
    try {
      this.fd = await open(this.file, 'r');
      this.ino = (await this.fd.stat()).ino;
    } catch {
      this.fd = null; // no log yet: it is opened once the shim makes it
    }
  }

  /** The entries written since the last call (the whole file the first time), across rotations. */
  async next(): Promise<JsonLogEntry[]> {
    const out: JsonLogEntry[] = [];
    for (let hops = 0; hops < 100; hops++) {
      // The name is looked at before the handle is read to its end: if it names another file by
      // then, the old one was complete before the rename.
      const named = await stat(this.file).catch(() => null);
      if (!this.fd) {
        if (!named) return out;
        await this.open();
        continue;
      }
      out.push(...(await this.readToEnd()));
      if (!named || named.ino === this.ino) return out;
      await this.close();
      this.pos = 0;
      this.rest = '';
    }
    return out;
  }

  /** Lets the file go. */
  async close(): Promise<void> {
    await this.fd?.close().catch(() => undefined);
    this.fd = null;
  }

  private async readToEnd(): Promise<JsonLogEntry[]> {
    const chunks: Buffer[] = [];
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await this.fd!.read(buf, 0, buf.length, this.pos);
      if (bytesRead === 0) break;
      this.pos += bytesRead;
      chunks.push(buf.subarray(0, bytesRead));
    }
    const { lines, rest } = splitLines(this.rest + Buffer.concat(chunks).toString('utf8'));
    this.rest = rest;
    return parse(lines);
  }
}

/** Every entry of a log, oldest first: the rotated files, then the live one (left open in `live`). */
export async function readAll(live: LiveLog): Promise<JsonLogEntry[]> {
  await live.open();
  const out: JsonLogEntry[] = [];
  for (const f of await rotatedFiles(live.file)) {
    const text = await readFileOrEmpty(f);
    out.push(...parse(splitLines(text).lines));
  }
  out.push(...(await live.next()));
  return out;
}

async function readFileOrEmpty(file: string): Promise<string> {
  try {
    const f = await open(file, 'r');
    try {
      return (await f.readFile()).toString('utf8');
    } finally {
      await f.close();
    }
  } catch {
    return ''; // rotated away meanwhile
  }
}

/**
 * Calls `onEntries` with what is appended to the log (across rotations) until `stop` settles;
 * the log's directory is watched, since a watch on the file would stay with a renamed one.
 */
export async function followLog(live: LiveLog, onEntries: (e: JsonLogEntry[]) => void, stop: Promise<unknown>): Promise<void> {
  let chain = Promise.resolve();
  let queued = false;
  const drain = () => {
    if (queued) return;
    queued = true;
    chain = chain.then(async () => {
      queued = false;
      onEntries(await live.next());
    });
  };
  const base = path.basename(live.file);
  let w: ReturnType<typeof watch> | undefined;
  try {
    w = watch(path.dirname(live.file), (_e, name) => {
      if (!name || String(name).startsWith(base)) drain();
    });
  } catch {
    // no directory: nothing will be written
  }
  drain();
  try {
    await stop;
  } finally {
    w?.close();
    await chain;
    onEntries(await live.next());
    await live.close();
  }
}
