/**
 * Docker's /changes semantics: a path is Added when the parent layer lacks it, Deleted when only the
 * parent has it (its children are not listed), Modified when its metadata differs; a directory whose
 * children changed counts as Modified too. vfs compares two trees; overlay (overlay-view.ts) walks
 * its upper directory with the same rules.
 */
import { type Stats, constants as C, promises as fsp } from 'node:fs';
import path from 'node:path';

import { type Change, ChangeKind, type ChangeKindValue } from './backend.js';
import type { FileOps } from './fileops.js';
import { isOverlayXattr } from './overlay-format.js';
import { lstatOrNull } from './paths.js';
import { readdirSorted } from './tree.js';

/** The xattrs of a path that belong to its content (overlayfs bookkeeping left out). */
export async function contentXattrs(ops: FileOps, abs: string): Promise<Map<string, Buffer>> {
  const all = await ops.lgetxattrs(abs);
  for (const name of all.keys()) if (isOverlayXattr(name)) all.delete(name);
  return all;
}

// Times survive a copy only to about a microsecond (utimes takes a double), so nearer than 1 ms is equal.
const sameTime = (a: Stats, b: Stats) => Math.abs(a.mtimeMs - b.mtimeMs) < 1;

function sameXattrs(a: Map<string, Buffer>, b: Map<string, Buffer>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, value] of a) if (!b.get(name)?.equals(value)) return false;
  return true;
}

/** Whether two paths hold the same entry as far as /changes can tell (content is not read). */
export async function sameNode(ops: FileOps, aAbs: string, a: Stats, bAbs: string, b: Stats): Promise<boolean> {
  if ((a.mode & C.S_IFMT) !== (b.mode & C.S_IFMT) || (a.mode & 0o7777) !== (b.mode & 0o7777)) return false;
  if (a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev || !sameTime(a, b)) return false;
  if (!a.isDirectory() && a.size !== b.size) return false;
  if (a.isSymbolicLink() && (await fsp.readlink(aAbs)) !== (await fsp.readlink(bAbs))) return false;
  return sameXattrs(await contentXattrs(ops, aAbs), await contentXattrs(ops, bAbs));
}

/** A change at a root-relative path. */
export function change(rel: string, kind: ChangeKindValue): Change {
  return { Path: `/${rel}`, Kind: kind };
}

/** Sorts by path and adds Docker's "a directory whose children changed is modified" entries. */
export function finishChanges(changes: Change[]): Change[] {
  const listed = new Set(changes.map((c) => c.Path));
  for (const c of [...changes]) {
    for (let dir = path.posix.dirname(c.Path); dir !== '/' && !listed.has(dir); dir = path.posix.dirname(dir)) {
      listed.add(dir);
      changes.push({ Path: dir, Kind: ChangeKind.Modified });
    }
  }
  return changes.sort((x, y) => (x.Path < y.Path ? -1 : x.Path > y.Path ? 1 : 0));
}

async function listDir(abs: string | null): Promise<string[]> {
  if (abs === null || !(await lstatOrNull(abs))?.isDirectory()) return [];
  return readdirSorted(abs);
}

const join = (rel: string, name: string) => (rel ? `${rel}/${name}` : name);

async function compareDir(ops: FileOps, oldRoot: string | null, newRoot: string, rel: string, out: Change[]): Promise<void> {
  const oldNames = new Set(await listDir(oldRoot === null ? null : path.join(oldRoot, rel)));
  const newNames = await readdirSorted(path.join(newRoot, rel));
  const newSet = new Set(newNames);
  for (const name of oldNames) if (!newSet.has(name)) out.push(change(join(rel, name), ChangeKind.Deleted));
  for (const name of newNames) {
    const childRel = join(rel, name);
    const newAbs = path.join(newRoot, childRel);
    const newSt = await fsp.lstat(newAbs);
    const oldAbs = oldRoot !== null && oldNames.has(name) ? path.join(oldRoot, childRel) : null;
    const oldSt = oldAbs === null ? null : await fsp.lstat(oldAbs);
    if (!oldSt || !oldAbs) out.push(change(childRel, ChangeKind.Added));
    else if (!(await sameNode(ops, oldAbs, oldSt, newAbs, newSt))) out.push(change(childRel, ChangeKind.Modified));
    if (newSt.isDirectory()) await compareDir(ops, oldSt?.isDirectory() ? oldRoot : null, newRoot, childRel, out);
  }
}

/** The changes that turn the tree at `oldRoot` (null: empty) into the tree at `newRoot`. */
export async function compareTrees(ops: FileOps, oldRoot: string | null, newRoot: string): Promise<Change[]> {
  const out: Change[] = [];
  await compareDir(ops, oldRoot, newRoot, '', out);
  return finishChanges(out);
}
