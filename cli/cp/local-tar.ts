/** `berth cp` into a container: a local file or tree as a tar stream, its top entry named as asked. */
import { constants as C, type Stats, promises as fsp } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pack, type Header, type Pack } from 'tar-stream';

function headerOf(name: string, st: Stats, linkname?: string): Header {
  const type = st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : st.isFIFO() ? 'fifo' : 'file';
  return { name, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: type === 'file' ? st.size : 0, uname: '', gname: '', devmajor: 0, devminor: 0, linkname: linkname ?? '' };
}

/** Adds one entry to the pack, waiting for it to be taken (files stream their content). */
async function addEntry(p: Pack, abs: string, name: string, st: Stats): Promise<void> {
  if (st.isSocket() || st.isBlockDevice() || st.isCharacterDevice()) return; // not copied, as with docker cp
  if (st.isSymbolicLink()) return void (await new Promise<void>((r, j) => fsp.readlink(abs).then((l) => p.entry(headerOf(name, st, l), (e) => (e ? j(e) : r())), j)));
  if (!st.isFile() || st.size === 0) return void (await new Promise<void>((r, j) => p.entry(headerOf(name, st), (e) => (e ? j(e) : r()))));
  const fh = await fsp.open(abs, C.O_RDONLY | C.O_NOFOLLOW);
  try {
    await new Promise<void>((resolve, reject) => {
      const sink = p.entry(headerOf(name, st), (e) => (e ? reject(e) : resolve()));
      fh.createReadStream({ autoClose: false }).on('error', reject).pipe(sink);
    });
  } finally {
    await fh.close();
  }
}

async function addTree(p: Pack, abs: string, name: string, st: Stats): Promise<void> {
  await addEntry(p, abs, name, st);
  if (!st.isDirectory()) return;
  for (const child of (await fsp.readdir(abs)).sort()) {
    const childAbs = path.join(abs, child);
    await addTree(p, childAbs, name === '.' ? child : `${name}/${child}`, await fsp.lstat(childAbs));
  }
}

/**
 * A tar of the local path `src` (lstat: a symlink is copied as a link unless `follow`), its top entry
 * named `name` ('.' for a directory's content only, as `src/.` asks).
 */
export async function localTar(src: string, name: string, follow: boolean): Promise<Readable> {
  const st = follow ? await fsp.stat(src) : await fsp.lstat(src);
  const p = pack();
  addTree(p, src, name, st).then(() => p.finalize(), (err: Error) => p.destroy(err));
  return p as unknown as Readable;
}
