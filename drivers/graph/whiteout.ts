/**
 * Whiteouts (OCI layer spec): `.wh.<name>` deletes <name> from the lower layers, `.wh..wh..opq`
 * hides everything the lower layers have in its directory. Either only ever affects lower layers:
 * what this layer wrote itself stays, whatever the entry order.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';

import { invalidParameter } from '../../protocol/errdefs.js';
import {
  type ApplyContext, type LayerHeader, absOf, clearTarget, markTouched, parentFixer,
} from './apply-ctx.js';
import { OPAQUE_XATTR } from './overlay-format.js';
import { ensureParents, lstatInside, relOf } from './paths.js';

/** The whiteout prefix. */
export const WHITEOUT_PREFIX = '.wh.';
/** The opaque-directory marker's name. */
export const OPAQUE_MARKER = '.wh..wh..opq';
/** AUFS's own metadata names start with this; Docker skips them and so does berth. */
export const WHITEOUT_META_PREFIX = '.wh..wh.';

// vfs: deletes what the lower layers put at `parts`, keeping whatever this layer wrote below it.
async function removeLower(ctx: ApplyContext, parts: string[], entry: string): Promise<void> {
  const abs = absOf(ctx, parts);
  const st = await lstatInside(ctx.root, parts, entry);
  if (!st) return;
  if (!ctx.touched.has(relOf(parts))) {
    await fsp.rm(abs, { recursive: true, force: true });
    return;
  }
  if (!st.isDirectory()) return;
  for (const child of await fsp.readdir(abs)) await removeLower(ctx, [...parts, child], entry);
}

async function overlayWhiteout(ctx: ApplyContext, parts: string[], h: LayerHeader): Promise<void> {
  await ensureParents(ctx.root, parts, h.name, parentFixer(ctx, h.name));
  const abs = absOf(ctx, parts);
  const st = await lstatInside(ctx.root, parts, h.name);
  if (st?.isDirectory()) {
    // This layer already wrote a directory here: hiding the lower one makes it opaque.
    await ctx.ops.lsetxattr(abs, OPAQUE_XATTR, Buffer.from('y'));
    return;
  }
  if (st) return; // a file of this layer already hides the lower path
  await ctx.ops.mknod(abs, 'char', 0, 0, 0);
  if (ctx.ops.privileged) await ctx.ops.lchown(abs, h.uid, h.gid);
}

/** Applies `<dir>/.wh.<name>`: `parts` is the whited-out path. */
export async function applyWhiteout(ctx: ApplyContext, parts: string[], h: LayerHeader): Promise<void> {
  const name = parts[parts.length - 1];
  if (name === undefined || name === '' || name === '.' || name === '..') {
    throw invalidParameter(`apply layer: whiteout ${JSON.stringify(h.name)} names no file`);
  }
  if (ctx.mode === 'overlay') return overlayWhiteout(ctx, parts, h);
  await removeLower(ctx, parts, h.name);
}

/** Applies `<dir>/.wh..wh..opq`: `dirParts` is the opaque directory. */
export async function applyOpaque(ctx: ApplyContext, dirParts: string[], h: LayerHeader): Promise<void> {
  const abs = absOf(ctx, dirParts);
  if (ctx.mode === 'delete') {
    if (!(await lstatInside(ctx.root, dirParts, h.name))?.isDirectory()) return;
    for (const child of await fsp.readdir(abs)) await removeLower(ctx, [...dirParts, child], h.name);
    return;
  }
  await ensureParents(ctx.root, dirParts, h.name, parentFixer(ctx, h.name));
  if (dirParts.length > 0 && !(await clearTarget(ctx, abs, true))) await fsp.mkdir(abs, { mode: 0o755 });
  markTouched(ctx, dirParts);
  await ctx.ops.lsetxattr(abs, OPAQUE_XATTR, Buffer.from('y'));
}

/** Whether a directory in an overlay upper dir is opaque. */
export async function isOpaqueDir(ctx: Pick<ApplyContext, 'ops'>, abs: string): Promise<boolean> {
  return (await ctx.ops.lgetxattrs(abs)).get(OPAQUE_XATTR)?.toString() === 'y';
}

/** The whiteout entry name for a root-relative path: `a/b` → `a/.wh.b`. */
export function whiteoutName(rel: string): string {
  const dir = path.posix.dirname(rel);
  const base = WHITEOUT_PREFIX + path.posix.basename(rel);
  return dir === '.' ? base : `${dir}/${base}`;
}
