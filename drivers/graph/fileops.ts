/**
 * The file metadata calls layer code makes, behind one seam: node:fs where Node has the call, the
 * native addon (or any XattrCalls/NodCalls provider) where it does not. Tests swap the providers to
 * run without root or without the addon.
 */
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { promisify } from 'node:util';

import { notImplemented, system } from '../../protocol/errdefs.js';

const run = promisify(execFile);

/** The special files mknod makes. */
export type SpecialKind = 'char' | 'block' | 'fifo';

/** Extended attribute calls that never follow a final symlink. */
export interface XattrCalls {
  /** Sets one attribute. */
  lsetxattr(path: string, name: string, value: Buffer): Promise<void>;
  /** Every attribute of the path, by name. */
  lgetxattrs(path: string): Promise<Map<string, Buffer>>;
}

/** mknod(2): makes a device node or fifo at `path` with permission bits `mode`. */
export type MknodCall = (path: string, kind: SpecialKind, mode: number, major: number, minor: number) => Promise<void>;

/** Makes everything written under directory `dir` durable (syncfs(2) of its filesystem). */
export type SyncFsCall = (dir: string) => Promise<void>;
/** Starts writeback of an open file's dirty pages without waiting (`path` names it in errors). */
export type WritebackCall = (fd: number, path: string) => void;

/** Metadata operations on files inside a layer. */
export interface FileOps {
  /** Root: ownership, device nodes and non-`user.` xattrs are applied; otherwise they are skipped. */
  readonly privileged: boolean;
  /** Whether xattrs can be read and written at all. */
  readonly xattrs: boolean;
  lchown(path: string, uid: number, gid: number): Promise<void>;
  /** chmod(2); callers only pass paths whose final component they know is not a symlink. */
  chmod(path: string, mode: number): Promise<void>;
  lutimes(path: string, atime: Date, mtime: Date): Promise<void>;
  mknod: MknodCall;
  lsetxattr(path: string, name: string, value: Buffer): Promise<void>;
  /** All xattrs of a path; an empty map when xattrs are unsupported. */
  lgetxattrs(path: string): Promise<Map<string, Buffer>>;
  /**
   * Makes a whole applied tree durable at once: one syncfs(2) instead of an fsync (and a journal
   * commit) per file, so that a layer recorded as present survives a crash.
   */
  syncfs: SyncFsCall;
  /**
   * Starts writing a large file's data to disk while the rest of the layer is extracted, so that
   * the final syncfs has less left to wait for; does nothing where the addon cannot.
   */
  startWriteback: WritebackCall;
}

/** Where the calls Node lacks come from. */
export interface FileOpsProviders {
  privileged?: boolean;
  xattr?: XattrCalls | null;
  mknod?: MknodCall | null;
  syncfs?: SyncFsCall | null;
  startWriteback?: WritebackCall | null;
}

const TYPE_LETTER: Record<SpecialKind, string> = { char: 'c', block: 'b', fifo: 'p' };

// Without the addon, coreutils' mknod (spawned, never forked from Node) keeps fifos and whiteout
// devices working; it is slower, so the addon's call wins when it exists.
const mknodCommand: MknodCall = async (path, kind, mode, major, minor) => {
  const perm = (mode & 0o7777).toString(8);
  const args = kind === 'fifo' ? ['-m', perm, path, 'p'] : ['-m', perm, path, TYPE_LETTER[kind], `${major}`, `${minor}`];
  try {
    await run('mknod', args);
  } catch (err) {
    throw system(`mknod ${path}: ${(err as { stderr?: string }).stderr?.trim() || String(err)}`, err);
  }
};

// Without the addon, coreutils' `sync -f` makes the same syncfs(2) call from a spawned process.
const syncfsCommand: SyncFsCall = async (dir) => {
  try {
    await run('sync', ['-f', dir]);
  } catch (err) {
    throw system(`sync of the filesystem of ${dir}: ${(err as { stderr?: string }).stderr?.trim() || String(err)}`, err);
  }
};

/** FileOps over node:fs plus the given providers for xattrs, mknod and syncfs. */
export class NodeFileOps implements FileOps {
  readonly privileged: boolean;
  readonly xattrs: boolean;
  readonly mknod: MknodCall;
  readonly syncfs: SyncFsCall;
  readonly startWriteback: WritebackCall;
  private readonly xattr: XattrCalls | null;

  constructor(providers: FileOpsProviders = {}) {
    this.privileged = providers.privileged ?? process.getuid?.() === 0;
    this.xattr = providers.xattr ?? null;
    this.xattrs = this.xattr !== null;
    this.mknod = providers.mknod ?? mknodCommand;
    this.syncfs = providers.syncfs ?? syncfsCommand;
    this.startWriteback = providers.startWriteback ?? (() => undefined); // the syncfs writes it all anyway
  }

  lchown(path: string, uid: number, gid: number): Promise<void> {
    return fsp.lchown(path, uid, gid);
  }

  chmod(path: string, mode: number): Promise<void> {
    return fsp.chmod(path, mode & 0o7777);
  }

  lutimes(path: string, atime: Date, mtime: Date): Promise<void> {
    return fsp.lutimes(path, atime, mtime);
  }

  async lsetxattr(path: string, name: string, value: Buffer): Promise<void> {
    if (!this.xattr) throw notImplemented(`set xattr ${name} on ${path}: the native addon has no xattr support`);
    await this.xattr.lsetxattr(path, name, value);
  }

  async lgetxattrs(path: string): Promise<Map<string, Buffer>> {
    return this.xattr ? this.xattr.lgetxattrs(path) : new Map();
  }
}
