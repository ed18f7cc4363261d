/**
 * What overlayfs would show from a stack of lower diff dirs, read without mounting (whiteout devices
 * hide a path, an opaque directory hides everything below it in deeper layers), and the changes of
 * an upper dir against that view. Lets `changes` work on unmounted layers, as Docker's overlay2 does.
 */
import { type Stats, promises as fsp } from 'node:fs';
import path from 'node:path';

import { type Change, ChangeKind } from './backend.js';
import { change, finishChanges, sameNode } from './changes.js';
import type { FileOps } from './fileops.js';
import { isWhiteoutDevice } from './overlay-format.js';
import { lstatOrNull } from './paths.js';
import { readdirSorted } from './tree.js';
import { isOpaqueDir } from './whiteout.js';

/** A path as the lower stack shows it: the layer dir that provides it and its stat. */
export interface LowerHit {
  abs: string;
  st: Stats;
}

/** One layer's answer for a path; `opaqueAbove`: an ancestor here hides the deeper layers. */
type LayerAnswer = { kind: 'hidden' } | { kind: 'absent'; opaqueAbove: boolean } | ({ kind: 'found'; opaqueAbove: boolean } & LowerHit);

// 'hidden': this layer deletes the path, or shadows a parent with a file.
async function inLayer(ops: FileOps, layer: string, parts: string[]): Promise<LayerAnswer> {
  let opaqueAbove = false;
  if (parts.length === 0) return { kind: 'found', abs: layer, st: await fsp.lstat(layer), opaqueAbove };
  for (let i = 1; i <= parts.length; i++) {
    const abs = path.join(layer, ...parts.slice(0, i));
    const st = await lstatOrNull(abs);
    if (!st) return { kind: 'absent', opaqueAbove };
    if (isWhiteoutDevice(st)) return { kind: 'hidden' };
    if (i === parts.length) return { kind: 'found', abs, st, opaqueAbove };
    if (!st.isDirectory()) return { kind: 'hidden' };
    if (await isOpaqueDir({ ops }, abs)) opaqueAbove = true;
  }
  return { kind: 'absent', opaqueAbove }; // not reached: the loop answers for the last part
}

/** The lower stack's entry at `rel` (lowers top first), or null when it shows nothing there. */
export async function lowerStat(ops: FileOps, lowers: readonly string[], rel: string): Promise<LowerHit | null> {
  const parts = rel.split('/');
  for (const layer of lowers) {
    const hit = await inLayer(ops, layer, parts);
    if (hit.kind === 'found') return hit;
    if (hit.kind === 'hidden' || hit.opaqueAbove) return null;
  }
  return null;
}

/** The names the lower stack shows inside directory `rel`. */
export async function lowerChildren(ops: FileOps, lowers: readonly string[], rel: string): Promise<Set<string>> {
  const shown = new Set<string>();
  const hidden = new Set<string>();
  const parts = rel ? rel.split('/') : [];
  for (const layer of lowers) {
    const hit = await inLayer(ops, layer, parts);
    if (hit.kind === 'hidden') break;
    if (hit.kind === 'absent') {
      if (hit.opaqueAbove) break;
      continue;
    }
    if (!hit.st.isDirectory()) break; // a file here shadows the directory of deeper layers
    for (const name of await readdirSorted(hit.abs)) {
      const st = await lstatOrNull(path.join(hit.abs, name));
      if (st && isWhiteoutDevice(st)) hidden.add(name);
      else if (!hidden.has(name)) shown.add(name);
    }
    if (hit.opaqueAbove || (await isOpaqueDir({ ops }, hit.abs))) break;
  }
  return shown;
}

// `hiding`: an opaque directory at or above `rel` hides the lower contents, so whatever the lower
// stack has there and the upper dir lacks is deleted (a vfs tree compare would say the same).
async function walkUpper(ops: FileOps, upper: string, lowers: readonly string[], rel: string, hiding: boolean, out: Change[]): Promise<void> {
  const abs = rel ? path.join(upper, rel) : upper;
  const names = await readdirSorted(abs);
  const under = (name: string) => (rel ? `${rel}/${name}` : name);
  const hides = hiding || (await isOpaqueDir({ ops }, abs));
  if (hides) {
    const kept = new Set(names);
    for (const name of await lowerChildren(ops, lowers, rel)) if (!kept.has(name)) out.push(change(under(name), ChangeKind.Deleted));
  }
  for (const name of names) {
    const childRel = under(name);
    const childAbs = path.join(upper, childRel);
    const st = await lstatOrNull(childAbs);
    if (!st) continue;
    if (isWhiteoutDevice(st)) {
      out.push(change(childRel, ChangeKind.Deleted));
      continue;
    }
    const lower = await lowerStat(ops, lowers, childRel);
    if (!lower) out.push(change(childRel, ChangeKind.Added));
    else if (!(await sameNode(ops, lower.abs, lower.st, childAbs, st))) out.push(change(childRel, ChangeKind.Modified));
    if (st.isDirectory()) await walkUpper(ops, upper, lowers, childRel, hides && lower?.st.isDirectory() === true, out);
  }
}

/** The changes an upper dir makes over its lower stack (lowers top first). */
export async function upperChanges(ops: FileOps, upper: string, lowers: readonly string[]): Promise<Change[]> {
  const out: Change[] = [];
  await walkUpper(ops, upper, lowers, '', false, out);
  return finishChanges(out);
}
