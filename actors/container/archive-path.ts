/**
 * A container's filesystem as `docker cp` sees it: the rootfs with its volumes and binds over it,
 * addressed by in-container paths. Symlinks resolve inside the container (an absolute link starts at
 * the container's root, `..` stops there), never on the host, as moby's FollowSymlinkInScope.
 */
import type { Stats } from 'node:fs';
import path from 'node:path';
import { invalidParameter, notFound } from '../../protocol/errdefs.js';
import type { ContainerPathStat } from '../../protocol/types/archive.js';
import { lstatOrNull } from '../../drivers/graph/paths.js';
import { promises as fsp } from 'node:fs';
import type { ContainerRecord } from '../services/containers/record.js';

/** A mounted view of a container: its rootfs and its mounts, deepest destination first. */
export interface ContainerFs {
  rootfs: string;
  mounts: { dst: string[]; src: string; rw: boolean }[];
}

const MAX_LINKS = 255;

const split = (p: string) => p.split('/').filter((c) => c !== '' && c !== '.');

/** The view of a container whose rootfs is mounted at `rootfs`. */
export function containerFs(r: ContainerRecord, rootfs: string): ContainerFs {
  const mounts = r.Mounts.filter((m) => m.Type !== 'tmpfs').map((m) => ({ dst: split(m.Destination), src: m.Source, rw: m.RW }));
  return { rootfs, mounts: mounts.sort((a, b) => b.dst.length - a.dst.length) };
}

const under = (parts: string[], prefix: string[]) => prefix.length <= parts.length && prefix.every((c, i) => parts[i] === c);

/** The mount that holds an in-container path, if any (the deepest). */
export function mountOf(fs: ContainerFs, parts: string[]): ContainerFs['mounts'][number] | undefined {
  return fs.mounts.find((m) => under(parts, m.dst));
}

/** The host path of an in-container path (already resolved: no symlinks, no `..`). */
export function hostPath(fs: ContainerFs, parts: string[]): string {
  const m = mountOf(fs, parts);
  return m ? path.join(m.src, ...parts.slice(m.dst.length)) : path.join(fs.rootfs, ...parts);
}

/** Resolves every component of `p` inside the container, following symlinks in scope; missing parts are kept. */
export async function resolveInScope(fs: ContainerFs, p: string): Promise<string[]> {
  const done: string[] = [];
  const todo = p.split('/').filter((c) => c !== '' && c !== '.');
  for (let links = 0; todo.length; ) {
    const c = todo.shift()!;
    if (c === '..') {
      done.pop();
      continue;
    }
    const st = await lstatOrNull(hostPath(fs, [...done, c]));
    if (!st?.isSymbolicLink()) {
      done.push(c);
      continue;
    }
    if (++links > MAX_LINKS) throw invalidParameter(`resolve ${p}: too many levels of symbolic links`);
    const target = await fsp.readlink(hostPath(fs, [...done, c]));
    if (target.startsWith('/')) done.length = 0;
    todo.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
  }
  return done;
}

/**
 * moby's ResolvePath: the directory part resolved in scope, the last component kept as it is (so a
 * symlink is itself), unless the path ends in `/` or `/.`, which follows it.
 */
export async function resolvePath(fs: ContainerFs, p: string): Promise<{ parts: string[]; name: string }> {
  const abs = path.posix.join('/', p);
  const base = path.posix.basename(abs) || '/';
  if (/\/\.?$/.test(p) || abs === '/') return { parts: await resolveInScope(fs, abs), name: p.endsWith('/.') ? '.' : base };
  const dir = await resolveInScope(fs, path.posix.dirname(abs));
  return { parts: [...dir, base], name: base };
}

// Go's os.FileMode type bits, which the docker CLI reads from the stat header.
const GO_DIR = 2 ** 31;
const GO_SYMLINK = 2 ** 27;
const GO_DEVICE = 2 ** 26;
const GO_PIPE = 2 ** 25;
const GO_SOCKET = 2 ** 24;
const GO_SETUID = 2 ** 23;
const GO_SETGID = 2 ** 22;
const GO_CHARDEV = 2 ** 21;
const GO_STICKY = 2 ** 20;

/** A file's mode as Go's os.FileMode (permission bits plus Go's type and special bits). */
export function goFileMode(st: Stats): number {
  let m = st.mode & 0o777;
  if (st.isDirectory()) m += GO_DIR;
  else if (st.isSymbolicLink()) m += GO_SYMLINK;
  else if (st.isBlockDevice()) m += GO_DEVICE;
  else if (st.isCharacterDevice()) m += GO_DEVICE + GO_CHARDEV;
  else if (st.isFIFO()) m += GO_PIPE;
  else if (st.isSocket()) m += GO_SOCKET;
  if (st.mode & 0o4000) m += GO_SETUID;
  if (st.mode & 0o2000) m += GO_SETGID;
  if (st.mode & 0o1000) m += GO_STICKY;
  return m;
}

/** The not-found error of archive requests, in dockerd's words. */
export const noSuchPath = (p: string, ref: string) => notFound(`Could not find the file ${p} in container ${ref}`);

/** Stats an in-container path (moby's StatPath): 404 when missing; a symlink's in-scope target. */
export async function statPath(fs: ContainerFs, p: string, ref: string): Promise<{ parts: string[]; st: Stats; stat: ContainerPathStat }> {
  const { parts, name } = await resolvePath(fs, p);
  const st = await lstatOrNull(hostPath(fs, parts));
  if (!st) throw noSuchPath(p, ref);
  const linkTarget = st.isSymbolicLink() ? `/${(await resolveInScope(fs, `/${parts.join('/')}`)).join('/')}` : '';
  return { parts, st, stat: { name, size: st.size, mode: goFileMode(st), mtime: st.mtime.toISOString(), linkTarget } };
}
