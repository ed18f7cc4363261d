/**
 * The graph driver's view of the native addon: mknod, xattrs and overlay mounts. The addon gains these
 * exports in the Images work (issue 4) while this driver is written, so each one is looked up when
 * used and reported missing by name instead of being assumed by the type checker.
 */
import { loadNative } from '../native/addon.js';
import { notImplemented } from '../../protocol/errdefs.js';
import { NodeFileOps, type MknodCall, type SyncFsCall, type WritebackCall, type XattrCalls } from './fileops.js';

/** Options of the addon's mountOverlay, paths absolute, lowerdirs nearest first. */
export interface OverlayMountOptions {
  lowerdirs: string[];
  upperdir: string;
  workdir: string;
}

/** Mounts and unmounts overlay filesystems; tests substitute a fake or mount(8). */
export interface Mounter {
  mountOverlay(target: string, options: OverlayMountOptions): Promise<void>;
  unmount(target: string): Promise<void>;
  /** Whether something is mounted at `target` (a mount a previous daemon left, to adopt). */
  isMountpoint?(target: string): Promise<boolean>;
}

type Fn = (...args: never[]) => unknown;

function addon(): object | null {
  try {
    return loadNative();
  } catch {
    return null; // not built: the callers fall back or report the missing export
  }
}

/** The addon's export `name` if it has one. */
function exported(name: string): Fn | null {
  const mod = addon();
  const fn: unknown = mod ? Reflect.get(mod, name) : undefined;
  return typeof fn === 'function' ? (fn as Fn) : null;
}

function call<T>(name: string, ...args: unknown[]): Promise<T> {
  const fn = exported(name);
  if (!fn) throw notImplemented(`${name}: the native addon does not export it (rebuild with npm run build:native)`);
  // Sync or async, the addon's result arrives the same way.
  return Promise.resolve((fn as (...a: unknown[]) => T | Promise<T>)(...args));
}

/** The addon's mknod(path, { type, major, minor, mode }), or null when it lacks one. */
export function nativeMknod(): MknodCall | null {
  if (!exported('mknod')) return null;
  return async (path, kind, mode, major, minor) => {
    await call('mknod', path, { type: kind, major, minor, mode: mode & 0o7777 });
  };
}

/** The addon's lsetxattr / llistxattr / lgetxattr, or null unless it has all three. */
export function nativeXattrs(): XattrCalls | null {
  if (!['lsetxattr', 'llistxattr', 'lgetxattr'].every((n) => exported(n))) return null;
  return {
    lsetxattr: (path, name, value) => call<void>('lsetxattr', path, name, value),
    async lgetxattrs(path) {
      const names = await call<string[]>('llistxattr', path);
      const out = new Map<string, Buffer>();
      for (const name of names) {
        const value = await call<Buffer | null>('lgetxattr', path, name);
        if (value) out.set(name, Buffer.from(value)); // removed between list and get: skip
      }
      return out;
    },
  };
}

/** The addon's syncFs(dir) (syncfs(2) on a pool thread), or null when it lacks one. */
export function nativeSyncFs(): SyncFsCall | null {
  if (!exported('syncFs')) return null;
  return (dir) => call<void>('syncFs', dir);
}

/** The addon's startWriteback(fd, path) (sync_file_range(2), returns at once), or null when it lacks one. */
export function nativeStartWriteback(): WritebackCall | null {
  const fn = exported('startWriteback') as ((fd: number, path: string) => void) | null;
  return fn && ((fd, path) => fn(fd, path));
}

/** Whether the addon can mount overlays (both mountOverlay and unmount exported). */
export function hasNativeMounts(): boolean {
  return exported('mountOverlay') !== null && exported('unmount') !== null;
}

/** The Mounter over the addon's mountOverlay(target, options) and unmount(target). */
export const nativeMounter: Mounter = {
  mountOverlay: (target, options) => call<void>('mountOverlay', target, options),
  unmount: (target) => call<void>('unmount', target),
  isMountpoint: (target) => call<boolean>('isMountpoint', target),
};

/** FileOps for the daemon: node:fs, plus the addon's mknod, xattrs, syncfs and writeback where it has them. */
export function defaultFileOps(): NodeFileOps {
  return new NodeFileOps({ xattr: nativeXattrs(), mknod: nativeMknod(), syncfs: nativeSyncFs(), startWriteback: nativeStartWriteback() });
}
