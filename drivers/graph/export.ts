/**
 * Layer diffs as tar streams (what commit and save need): vfs archives the paths of a change list,
 * overlay archives its upper dir. Deletions become `.wh.` entries and opaque directories get a
 * `.wh..wh..opq` entry, so either backend's diff applies on the other.
 */
import { type Stats, constants as C, promises as fsp } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

import { type Change, ChangeKind } from './backend.js';
import { contentXattrs } from './changes.js';
import type { FileOps } from './fileops.js';
import { isWhiteoutDevice } from './overlay-format.js';
import { lstatOrNull } from './paths.js';
import { END_OF_ARCHIVE, type TarEntry, entryBytes, tarTypeOf } from './tar-write.js';
import { devNumbers, readdirSorted } from './tree.js';
import { OPAQUE_MARKER, isOpaqueDir, whiteoutName } from './whiteout.js';

/** inode → the archive path that carried it first; later paths become hardlink entries. */
type Links = Map<string, string>;

// Whiteouts carry no metadata worth keeping; a fixed time keeps diffs of equal trees byte-equal.
function marker(name: string): TarEntry {
  return { name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: new Date(0) };
}

async function* nodeBytes(ops: FileOps, rel: string, abs: string, st: Stats, links: Links): AsyncGenerator<Buffer> {
  const type = tarTypeOf(st);
  if (!type) return;
  const base = { name: rel, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
  const key = `${st.dev}:${st.ino}`;
  const first = type !== 'directory' && st.nlink > 1 ? links.get(key) : undefined;
  if (first !== undefined) {
    yield* entryBytes({ ...base, type: 'link', size: 0, linkname: first });
    return;
  }
  if (type !== 'directory' && st.nlink > 1) links.set(key, rel);
  const { major, minor } = devNumbers(st.rdev);
  const entry: TarEntry = {
    ...base,
    type,
    size: type === 'file' ? st.size : 0,
    linkname: type === 'symlink' ? await fsp.readlink(abs) : undefined,
    devmajor: type === 'char' || type === 'block' ? major : 0,
    devminor: type === 'char' || type === 'block' ? minor : 0,
    xattrs: await contentXattrs(ops, abs),
  };
  if (type !== 'file' || st.size === 0) {
    yield* entryBytes(entry);
    return;
  }
  const content = (await fsp.open(abs, C.O_RDONLY | C.O_NOFOLLOW)).createReadStream(); // closes its handle
  try {
    yield* entryBytes(entry, content);
  } finally {
    content.destroy(); // also when the consumer stops reading before this entry's content
  }
}

async function* changeEntries(ops: FileOps, root: string, changes: readonly Change[]): AsyncGenerator<Buffer> {
  const links: Links = new Map();
  for (const c of changes) {
    const rel = c.Path.slice(1);
    if (c.Kind === ChangeKind.Deleted) {
      yield* entryBytes(marker(whiteoutName(rel)));
      continue;
    }
    const abs = path.join(root, rel);
    const st = await lstatOrNull(abs);
    if (st) yield* nodeBytes(ops, rel, abs, st, links);
  }
  yield END_OF_ARCHIVE;
}

async function* upperEntries(ops: FileOps, upper: string, rel: string, links: Links): AsyncGenerator<Buffer> {
  const dir = rel ? path.join(upper, rel) : upper;
  if (await isOpaqueDir({ ops }, dir)) yield* entryBytes(marker(rel ? `${rel}/${OPAQUE_MARKER}` : OPAQUE_MARKER));
  for (const name of await readdirSorted(dir)) {
    const childRel = rel ? `${rel}/${name}` : name;
    const abs = path.join(upper, childRel);
    const st = await lstatOrNull(abs);
    if (!st) continue;
    if (isWhiteoutDevice(st)) {
      yield* entryBytes(marker(whiteoutName(childRel)));
      continue;
    }
    yield* nodeBytes(ops, childRel, abs, st, links);
    if (st.isDirectory()) yield* upperEntries(ops, upper, childRel, links);
  }
}

/** A tar stream of the paths in `changes` as they are under `root`, deletions as whiteouts. */
export function exportChanges(ops: FileOps, root: string, changes: readonly Change[]): Readable {
  return Readable.from(changeEntries(ops, root, changes), { objectMode: false });
}

/** A tar stream of an overlay upper dir, its whiteout devices and opaque flags in OCI form. */
export function exportUpper(ops: FileOps, upper: string): Readable {
  const all = async function* () {
    yield* upperEntries(ops, upper, '', new Map());
    yield END_OF_ARCHIVE;
  };
  return Readable.from(all(), { objectMode: false });
}
