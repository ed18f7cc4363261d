/**
 * Tar streams of a container's files (GET /archive and /export): a walk over in-container paths, so
 * volumes and binds under the path are archived from their sources. Nothing is followed: symlinks are
 * archived as links and files are opened with O_NOFOLLOW.
 */
import { type Stats, constants as C, promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { lstatOrNull } from '../../drivers/graph/paths.js';
import { END_OF_ARCHIVE, entryBytes, tarTypeOf, type TarEntry } from '../../drivers/graph/tar-write.js';
import { devNumbers, readdirSorted } from '../../drivers/graph/tree.js';
import { hostPath, type ContainerFs } from './archive-path.js';

/** inode → the archive name that carried it first; later names become hardlinks to it. */
type Links = Map<string, string>;

async function* fileBytes(abs: string, entry: TarEntry): AsyncGenerator<Buffer> {
  const content = (await fsp.open(abs, C.O_RDONLY | C.O_NOFOLLOW)).createReadStream(); // closes its handle
  try {
    yield* entryBytes(entry, content);
  } finally {
    content.destroy();
  }
}

async function* nodeBytes(abs: string, name: string, st: Stats, links: Links): AsyncGenerator<Buffer> {
  const type = tarTypeOf(st);
  if (!type) return;
  const base = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0 };
  const key = `${st.dev}:${st.ino}`;
  const first = type !== 'directory' && st.nlink > 1 ? links.get(key) : undefined;
  if (first !== undefined) return yield* entryBytes({ ...base, type: 'link', linkname: first });
  if (type !== 'directory' && st.nlink > 1) links.set(key, name);
  const { major, minor } = devNumbers(st.rdev);
  const dev = type === 'char' || type === 'block';
  const entry: TarEntry = { ...base, type, size: type === 'file' ? st.size : 0, linkname: type === 'symlink' ? await fsp.readlink(abs) : undefined, devmajor: dev ? major : 0, devminor: dev ? minor : 0 };
  yield* type === 'file' && st.size > 0 ? fileBytes(abs, entry) : entryBytes(entry);
}

async function* walk(fs: ContainerFs, parts: string[], name: string, links: Links): AsyncGenerator<Buffer> {
  const abs = hostPath(fs, parts);
  const st = await lstatOrNull(abs);
  if (!st) return; // gone meanwhile
  if (name) yield* nodeBytes(abs, name, st, links);
  if (!st.isDirectory()) return;
  for (const child of await readdirSorted(abs)) yield* walk(fs, [...parts, child], name ? `${name}/${child}` : child, links);
}

/**
 * A tar of the in-container path `parts` (resolved), its entries named under `name` (the requested
 * path's base name, as moby rebases them); `name` '' archives a directory's content without a prefix
 * (export).
 */
export function archiveTar(fs: ContainerFs, parts: string[], name: string): Readable {
  async function* all(): AsyncGenerator<Buffer> {
    yield* walk(fs, parts, name, new Map());
    yield END_OF_ARCHIVE;
  }
  return Readable.from(all(), { objectMode: false });
}
