/** Local files the image commands read and write (import, load, save), with docker's error wording. */
import { createWriteStream, type ReadStream, type WriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { invalidParameter } from '../protocol/errdefs.js';

/** `open <path>: no such file or directory`, as Go words a failed open. */
function openError(op: string, path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
  return invalidParameter(`${op} ${path}: ${reason}`);
}

/** A stream of a file's bytes; a missing or unreadable file fails here, before any request. */
export async function openInput(path: string): Promise<ReadStream> {
  try {
    const handle = await open(path, 'r');
    if ((await handle.stat()).isDirectory()) {
      await handle.close();
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    return handle.createReadStream();
  } catch (err) {
    throw openError('open', path, err);
  }
}

/** Fails unless the directory a file is to be written in exists (docker's ValidateOutputPath). */
export async function checkOutputPath(path: string): Promise<void> {
  const dir = dirname(path);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw invalidParameter(`failed to save image: invalid output path: directory "${dir}" does not exist`);
}

/**
 * A file written under a temporary name and renamed into place by commit(), so a failed save
 * never leaves a partial tar where the user asked for one (docker's CopyToFile does the same).
 */
export function atomicOutput(path: string): { stream: WriteStream; commit(): Promise<void>; abort(): Promise<void> } {
  const temp = join(dirname(path), `.${basename(path)}.berth-${process.pid}.tmp`);
  const stream = createWriteStream(temp, { mode: 0o644 });
  return {
    stream,
    commit: () => rename(temp, path),
    abort: () => rm(temp, { force: true }),
  };
}
