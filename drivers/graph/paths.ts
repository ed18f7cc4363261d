/**
 * Path handling for untrusted tar entries: names are cleaned lexically, then resolved one component
 * at a time under the layer root with lstat, so no symlink (from the layer or from a lower one) is
 * ever followed while writing. The one rule that keeps extraction inside the root.
 */
import { type Stats, promises as fsp } from 'node:fs';
import path from 'node:path';

import { invalidParameter } from '../../protocol/errdefs.js';

/** lstat that answers null for a missing path. */
export async function lstatOrNull(abs: string): Promise<Stats | null> {
  try {
    return await fsp.lstat(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function refuse(entry: string, why: string): Error {
  return invalidParameter(`apply layer: entry ${JSON.stringify(entry)} ${why}`);
}

/**
 * The components of an entry name relative to the root. A leading `/` is read as the root (as Docker
 * does), `.` and empty components vanish, and a `..` that would climb above the root is refused.
 */
export function entryParts(name: string, entry = name): string[] {
  if (name.includes('\0')) throw refuse(entry, 'has a NUL byte in its name');
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') out.push(part);
    else if (out.pop() === undefined) throw refuse(entry, 'climbs out of the layer with ..');
  }
  return out;
}

/** The root-relative path of some components, `a/b`; empty for the root. */
export function relOf(parts: readonly string[]): string {
  return parts.join('/');
}

/** Decides what to do with a parent component that is missing or not a directory. */
export type ParentFixer = (abs: string, rel: string, existing: Stats | null) => Promise<void>;

/**
 * Checks that every parent of `parts` is a real directory under `root`, calling `fix` for missing or
 * non-directory ones (it creates them or throws). Symlinked parents are always refused.
 */
export async function ensureParents(root: string, parts: readonly string[], entry: string, fix: ParentFixer | null): Promise<void> {
  for (let i = 1; i < parts.length; i++) {
    const rel = relOf(parts.slice(0, i));
    const abs = path.join(root, rel);
    const st = await lstatOrNull(abs);
    if (st?.isDirectory()) continue;
    if (st?.isSymbolicLink()) throw refuse(entry, `has a symlink parent ${JSON.stringify(rel)}; refusing to write through it`);
    if (!fix) throw refuse(entry, `has a missing or non-directory parent ${JSON.stringify(rel)}`);
    await fix(abs, rel, st);
  }
}

/** Resolves an existing path under the root without following symlinks, e.g. a hardlink's target. */
export async function resolveExisting(root: string, parts: readonly string[], entry: string): Promise<{ abs: string; st: Stats }> {
  const st = await lstatInside(root, parts, entry);
  if (!st) throw refuse(entry, `links to ${JSON.stringify(relOf(parts))}, which is not in the layer`);
  return { abs: path.join(root, relOf(parts)), st };
}

/**
 * lstat of an existing path whose parents are all real directories; null when it or a parent is
 * missing or a parent is not a directory (nothing can be under it). Symlinked parents are refused.
 */
export async function lstatInside(root: string, parts: readonly string[], entry: string): Promise<Stats | null> {
  for (let i = 1; i <= parts.length; i++) {
    const rel = relOf(parts.slice(0, i));
    const st = await lstatOrNull(path.join(root, rel));
    if (i === parts.length || !st) return st;
    if (st.isSymbolicLink()) throw refuse(entry, `has a symlink parent ${JSON.stringify(rel)}; refusing to follow it`);
    if (!st.isDirectory()) return null;
  }
  return fsp.lstat(root);
}
