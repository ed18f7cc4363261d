/**
 * `berth cp` out of a container: extracts the daemon's tar under a local directory. A container's
 * files are not to be trusted: names are cleaned, `..` may not climb out, no parent may be a symlink
 * (checked component by component), files are made with O_EXCL|O_NOFOLLOW after the old one goes.
 */
import { constants as C, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { invalidParameter } from '../../protocol/errdefs.js';

const refuse = (name: string, why: string) => invalidParameter(`copy ${JSON.stringify(name)}: ${why}`);

/** The components of an entry name, its first one replaced by `rename` when given. */
function partsOf(name: string, rename: string | null): string[] {
  const out: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') throw refuse(name, 'climbs out of the destination with ..');
    out.push(c);
  }
  if (rename !== null) out[0] = rename;
  return out;
}

async function checkParents(root: string, parts: string[], name: string): Promise<void> {
  for (let i = 1; i < parts.length; i++) {
    const abs = path.join(root, ...parts.slice(0, i));
    const st = await fsp.lstat(abs).catch(() => null);
    if (!st) await fsp.mkdir(abs, { mode: 0o755 });
    else if (!st.isDirectory()) throw refuse(name, `parent ${parts.slice(0, i).join('/')} is not a directory`);
  }
}

async function writeOne(abs: string, h: Header, body: AsyncIterable<Buffer>): Promise<void> {
  const old = await fsp.lstat(abs).catch(() => null);
  if (h.type === 'directory') {
    if (old && !old.isDirectory()) await fsp.unlink(abs);
    if (!old?.isDirectory()) await fsp.mkdir(abs, { mode: 0o700 });
    return fsp.chmod(abs, h.mode ?? 0o755);
  }
  if (old) await (old.isDirectory() ? Promise.reject(refuse(h.name, 'would replace a directory')) : fsp.unlink(abs));
  if (h.type === 'symlink') return fsp.symlink(h.linkname ?? '', abs);
  if (h.type !== 'file' && h.type !== 'contiguous-file') return; // devices, fifos, hardlinks: not copied out
  const fh = await fsp.open(abs, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, (h.mode ?? 0o644) & 0o7777);
  try {
    for await (const chunk of body) await fh.write(chunk);
  } finally {
    await fh.close();
  }
  if (h.mtime) await fsp.utimes(abs, h.mtime, h.mtime);
}

/** Extracts `tar` under the existing directory `root`; the top entry is renamed to `rename` when given. */
export async function extractLocal(tar: Readable, root: string, rename: string | null): Promise<void> {
  const x = extract();
  const feeding = pipeline(tar, x);
  feeding.catch(() => undefined); // the same error reaches the loop below
  for await (const entry of x) {
    const parts = partsOf(entry.header.name, rename);
    if (parts.length === 0) {
      entry.resume();
      continue;
    }
    await checkParents(root, parts, entry.header.name);
    await writeOne(path.join(root, ...parts), entry.header, entry as unknown as AsyncIterable<Buffer>);
    entry.resume();
  }
  await feeding;
}
