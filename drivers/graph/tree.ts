/**
 * Whole-tree helpers over trusted layer directories: sorted listings, device numbers, and the vfs
 * copy of a parent layer that keeps types, owners, modes (setuid included), times, xattrs and
 * hardlinks, as `cp -a` would.
 */
import { type Stats, constants as C, promises as fsp } from 'node:fs';
import path from 'node:path';

import type { FileOps, SpecialKind } from './fileops.js';

/** Directory entries in byte order, so walks and archives are deterministic. */
export async function readdirSorted(abs: string): Promise<string[]> {
  return (await fsp.readdir(abs)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Linux's major/minor split of a dev_t (glibc's gnu_dev_major/minor). */
export function devNumbers(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev);
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

/** The mknod kind of a special file, or null for anything else. */
export function specialKind(st: Stats): SpecialKind | null {
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return null;
}

/** Whether this process may set the xattr at all: unprivileged, only the user namespace. */
export function settableXattr(ops: FileOps, name: string): boolean {
  return ops.privileged || name.startsWith('user.');
}

/** Applies owner, mode, xattrs and times of `st`/`src` to `dst`, in the order that keeps setuid bits. */
export async function copyMeta(ops: FileOps, src: string, dst: string, st: Stats): Promise<void> {
  if (ops.privileged) await ops.lchown(dst, st.uid, st.gid);
  if (!st.isSymbolicLink()) await ops.chmod(dst, st.mode);
  for (const [name, value] of await ops.lgetxattrs(src)) {
    if (settableXattr(ops, name)) await ops.lsetxattr(dst, name, value);
  }
  await ops.lutimes(dst, st.atime, st.mtime);
}

/** inode → first copied path, so hardlinks stay hardlinks in the copy. */
type LinkMap = Map<string, string>;

async function copyNode(ops: FileOps, src: string, dst: string, st: Stats, links: LinkMap): Promise<void> {
  const key = `${st.dev}:${st.ino}`;
  const first = !st.isDirectory() && st.nlink > 1 ? links.get(key) : undefined;
  if (first) return fsp.link(first, dst);
  if (st.isDirectory()) {
    await fsp.mkdir(dst, { mode: 0o700 });
    await copyChildren(ops, src, dst, links);
  } else if (st.isFile()) {
    await fsp.copyFile(src, dst, C.COPYFILE_FICLONE); // reflink where the filesystem can
  } else if (st.isSymbolicLink()) {
    await fsp.symlink(await fsp.readlink(src), dst);
  } else {
    const kind = specialKind(st);
    if (!kind || (kind !== 'fifo' && !ops.privileged)) return; // sockets; devices need CAP_MKNOD
    const { major, minor } = devNumbers(st.rdev);
    await ops.mknod(dst, kind, st.mode & 0o7777, major, minor);
  }
  if (st.nlink > 1) links.set(key, dst);
  await copyMeta(ops, src, dst, st); // directories last: their children moved the mtime
}

async function copyChildren(ops: FileOps, src: string, dst: string, links: LinkMap): Promise<void> {
  for (const name of await readdirSorted(src)) {
    const from = path.join(src, name);
    await copyNode(ops, from, path.join(dst, name), await fsp.lstat(from), links);
  }
}

/** Copies the tree under `src` into the existing empty directory `dst`, root metadata included. */
export async function copyTree(ops: FileOps, src: string, dst: string): Promise<void> {
  await copyChildren(ops, src, dst, new Map());
  await copyMeta(ops, src, dst, await fsp.lstat(src));
}
