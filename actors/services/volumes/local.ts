import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { invalidParameter, notFound, notImplemented } from '../../../protocol/errdefs.js';

/** The one volume driver berth has: a plain directory per volume, as dockerd's `local` without options. */
export const LOCAL_DRIVER = 'local';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const LOCAL_OPTS = ['type', 'device', 'o', 'size'];

/** Checks a volume name with dockerd's rules and messages. */
export function checkVolumeName(name: string): void {
  if (name.length === 1 && /^[a-zA-Z0-9]$/.test(name)) throw invalidParameter(`create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  if (!NAME.test(name)) {
    throw invalidParameter(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/** Checks the driver and its options: only `local` with no mount options (plain directories). */
export function checkDriver(driver: string, opts: Record<string, string>): void {
  if (driver !== LOCAL_DRIVER) throw notFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  for (const key of Object.keys(opts)) {
    if (!LOCAL_OPTS.includes(key)) throw invalidParameter(`invalid option key: "${key}"`);
  }
  // Mounted volumes (tmpfs, nfs, a device) need mount(2) at each use; plain directories cover issue 5.
  if (Object.keys(opts).length) throw notImplemented(`local volume driver: options (${Object.keys(opts).join(', ')}) are not supported, only plain directories`);
}

/** A volume's directories: `<root>/<name>` (the driver's) and `_data` (the mountpoint). */
export function volumeDirs(root: string, name: string): { dir: string; data: string } {
  const dir = path.join(root, name);
  return { dir, data: path.join(dir, '_data') };
}

/** Makes a volume's directories (idempotent: a crash after this and before the record is harmless). */
export async function makeVolumeDirs(root: string, name: string): Promise<string> {
  const { dir, data } = volumeDirs(root, name);
  await fsp.mkdir(dir, { recursive: true, mode: 0o701 });
  await fsp.mkdir(data, { recursive: true, mode: 0o755 });
  return data;
}

/** Removes a volume's directories and everything in them. */
export async function removeVolumeDirs(root: string, name: string): Promise<void> {
  await fsp.rm(volumeDirs(root, name).dir, { recursive: true, force: true });
}

/** The bytes a tree holds (files counted once per inode), for prune's SpaceReclaimed. */
export async function treeSize(abs: string, seen = new Set<string>()): Promise<number> {
  const st = await fsp.lstat(abs).catch(() => null);
  if (!st) return 0;
  const key = `${st.dev}:${st.ino}`;
  if (seen.has(key)) return 0;
  seen.add(key);
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let n = 0;
  for (const name of await fsp.readdir(abs).catch(() => [] as string[])) n += await treeSize(path.join(abs, name), seen);
  return n;
}

/** Whether a directory has no entries (a volume that can take the image's content). */
export async function isEmptyDir(abs: string): Promise<boolean> {
  const dir = await fsp.opendir(abs);
  try {
    return (await dir.read()) === null;
  } finally {
    await dir.close().catch(() => undefined);
  }
}
