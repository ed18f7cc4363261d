/**
 * State and shared steps of applying one layer: the normalized entry header, which paths this layer
 * wrote (whiteouts only hide lower layers), directory metadata set at the end, and the rules for
 * replacing what is already on disk.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';

import { invalidParameter } from '../../protocol/errdefs.js';
import type { FileOps } from './fileops.js';
import { OPAQUE_XATTR, isOverlayXattr, isWhiteoutDevice } from './overlay-format.js';
import { type ParentFixer, lstatInside, lstatOrNull, relOf } from './paths.js';
import { settableXattr } from './tree.js';

/** vfs deletes whited-out paths in place; overlay records them the way overlayfs reads them. */
export type WhiteoutMode = 'delete' | 'overlay';

/** A tar entry's header after normalization (PAX ids and times applied, xattrs as raw bytes). */
export interface LayerHeader {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: Map<string, Buffer>;
}

/** Directory mode and times, applied after the last entry so that adding children cannot undo them. */
export interface DeferredDir {
  parts: string[];
  mode: number;
  mtime: Date;
}

/** Everything one applyLayer call shares between entries. */
export interface ApplyContext {
  root: string;
  mode: WhiteoutMode;
  ops: FileOps;
  /** Root-relative paths this layer wrote, with all their ancestors. */
  touched: Set<string>;
  dirs: DeferredDir[];
  size: number;
}

/** Records that this layer wrote `parts` (and so every ancestor of it). */
export function markTouched(ctx: ApplyContext, parts: readonly string[]): void {
  for (let i = 1; i <= parts.length; i++) ctx.touched.add(relOf(parts.slice(0, i)));
}

async function makeOpaqueDir(ctx: ApplyContext, abs: string): Promise<void> {
  await fsp.mkdir(abs, { mode: 0o755 });
  await ctx.ops.lsetxattr(abs, OPAQUE_XATTR, Buffer.from('y'));
}

/**
 * Creates missing parent directories. In overlay mode a whited-out parent becomes an opaque
 * directory, so the deleted lower contents stay hidden under the new one.
 */
export function parentFixer(ctx: ApplyContext, entry: string): ParentFixer {
  return async (abs, rel, existing) => {
    if (!existing) return fsp.mkdir(abs, { mode: 0o755 }).then(() => undefined);
    if (ctx.mode === 'overlay' && isWhiteoutDevice(existing)) {
      await fsp.unlink(abs);
      return makeOpaqueDir(ctx, abs);
    }
    throw invalidParameter(`apply layer: entry ${JSON.stringify(entry)} has a parent ${JSON.stringify(rel)} that is not a directory`);
  };
}

/**
 * Clears the way for a new entry at `abs` (the spec: remove, then recreate), except that an existing
 * directory stays when the entry is a directory. Returns whether a directory is already there.
 */
export async function clearTarget(ctx: ApplyContext, abs: string, wantDir: boolean): Promise<boolean> {
  const st = await lstatOrNull(abs);
  if (!st) return false;
  if (st.isDirectory()) {
    if (wantDir) return true;
    await fsp.rm(abs, { recursive: true, force: true }); // rm never follows symlinks inside
    return false;
  }
  await fsp.unlink(abs);
  if (wantDir && ctx.mode === 'overlay' && isWhiteoutDevice(st)) {
    await makeOpaqueDir(ctx, abs); // a directory recreated over a whiteout hides the lower one
    return true;
  }
  return false;
}

/** Sets the entry's xattrs that this process may set; unprivileged, only the user namespace. */
export async function setXattrs(ctx: ApplyContext, abs: string, h: LayerHeader): Promise<void> {
  for (const [name, value] of h.xattrs) {
    // A forged redirect or opaque flag from a layer would change what the lower layers show.
    if (isOverlayXattr(name)) continue;
    if (!settableXattr(ctx.ops, name)) continue;
    await ctx.ops.lsetxattr(abs, name, value).catch((err: unknown) => {
      // As Docker does: a filesystem without xattrs, or one the kernel refuses here (user.* on a
      // symlink), costs the attribute, not the layer.
      if (!isUnsupportedXattr(err)) throw err;
    });
  }
}

const UNSUPPORTED = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EPERM']);

function isUnsupportedXattr(err: unknown): boolean {
  return UNSUPPORTED.has(String((err as { code?: unknown } | null)?.code));
}

/** Joins root-relative parts onto the layer root. */
export function absOf(ctx: ApplyContext, parts: readonly string[]): string {
  return path.join(ctx.root, relOf(parts));
}

/**
 * Gives the deferred directories their modes and times, deepest first. Last, because modes may drop
 * write permission and each child written would have moved the mtime.
 */
export async function finishDirs(ctx: ApplyContext): Promise<void> {
  for (const dir of ctx.dirs.reverse()) {
    // A later entry may have replaced the directory (even with a symlink): then it is not ours to touch.
    const st = await lstatInside(ctx.root, dir.parts, dir.parts.join('/')).catch(() => null);
    if (!st?.isDirectory()) continue;
    const abs = absOf(ctx, dir.parts);
    await ctx.ops.chmod(abs, dir.mode);
    await ctx.ops.lutimes(abs, dir.mtime, dir.mtime);
  }
}
