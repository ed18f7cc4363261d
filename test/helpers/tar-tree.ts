/**
 * A comparable picture of a directory tree for layer tests: one line per path with type, mode,
 * owner, content hash or link target, device numbers, mtime (whole seconds), xattrs and hardlink
 * group (the first name in the tree sharing its inode). Equal pictures mean equal trees for a test.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';

import type { FileOps } from '../../drivers/graph/fileops.js';
import { isOverlayXattr } from '../../drivers/graph/overlay-format.js';
import { devNumbers, readdirSorted } from '../../drivers/graph/tree.js';

/** What to leave out of a picture. */
export interface PictureOptions {
  mtimes?: boolean;
  owners?: boolean;
}

// Unprivileged tests may write files they cannot read back (mode 0): they still get a picture.
async function contentHash(abs: string): Promise<string> {
  try {
    return createHash('sha256').update(await fsp.readFile(abs)).digest('hex').slice(0, 12);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EACCES') return 'unreadable';
    throw err;
  }
}

async function describe(ops: FileOps | null, abs: string, inodes: Map<string, string[]>, rel: string, opt: PictureOptions): Promise<string> {
  const st = await fsp.lstat(abs);
  const parts: string[] = [];
  if (st.isFile()) parts.push('file', await contentHash(abs));
  else if (st.isDirectory()) parts.push('dir');
  else if (st.isSymbolicLink()) parts.push('symlink', `-> ${await fsp.readlink(abs)}`);
  else if (st.isFIFO()) parts.push('fifo');
  else if (st.isCharacterDevice() || st.isBlockDevice()) {
    const { major, minor } = devNumbers(st.rdev);
    parts.push(st.isCharacterDevice() ? 'char' : 'block', `${major},${minor}`);
  } else parts.push('other');
  if (!st.isSymbolicLink()) parts.push((st.mode & 0o7777).toString(8).padStart(4, '0'));
  if (opt.owners !== false) parts.push(`${st.uid}:${st.gid}`);
  if (opt.mtimes !== false && !st.isSymbolicLink()) parts.push(`t${Math.floor(st.mtimeMs / 1000)}`);
  if (!st.isDirectory() && st.nlink > 1) {
    const key = `${st.dev}:${st.ino}`;
    inodes.set(key, [...(inodes.get(key) ?? []), rel]);
  }
  for (const [name, value] of ops ? await ops.lgetxattrs(abs) : []) {
    if (!isOverlayXattr(name)) parts.push(`${name}=${value.toString('hex')}`);
  }
  return parts.join(' ');
}

/** The picture of the tree under `root` (the root itself as "."), keyed by relative path. */
export async function picture(root: string, ops: FileOps | null = null, opt: PictureOptions = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const inodes = new Map<string, string[]>();
  const walk = async (rel: string): Promise<void> => {
    const abs = rel ? path.join(root, rel) : root;
    out[rel || '.'] = await describe(ops, abs, inodes, rel, opt);
    if (!(await fsp.lstat(abs)).isDirectory()) return;
    for (const name of await readdirSorted(abs)) await walk(rel ? `${rel}/${name}` : name);
  };
  await walk('');
  // Hardlinks as this tree shows them: names sharing an inode here (nlink also counts hidden names).
  for (const names of inodes.values()) {
    if (names.length > 1) for (const name of names) out[name] += ` link=${names[0]}`;
  }
  return out;
}

/** The relative paths in a tree, sorted (directories included, root left out). */
export async function listTree(root: string): Promise<string[]> {
  return Object.keys(await picture(root, null, { mtimes: false })).filter((p) => p !== '.');
}

/** rm -rf that also works unprivileged on trees with read-only directories (layers have them). */
export async function removeTree(root: string): Promise<void> {
  const open = async (abs: string): Promise<void> => {
    const st = await fsp.lstat(abs).catch(() => null);
    if (!st?.isDirectory()) return;
    await fsp.chmod(abs, 0o700);
    for (const name of await fsp.readdir(abs)) await open(path.join(abs, name));
  };
  await open(root);
  await fsp.rm(root, { recursive: true, force: true });
}
