/**
 * The hostile-layer corpus against a backend's applyDiff: every archive is refused or neutralised,
 * and a picture of everything outside the layer's directory (a sentinel dir with a secret next to
 * it, the other layers, the driver's own files) is the same before and after.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';

import { applyLayer } from '../../drivers/graph/apply.js';
import { kindOf } from '../../protocol/errdefs.js';
import { layerStream } from '../helpers/tar.js';
import type { TestFileOps } from '../helpers/tar-fileops.js';
import { SENTINEL_FILES, hostileCases } from '../helpers/tar-hostile.js';
import { picture } from '../helpers/tar-tree.js';
import { type DriverUnderTest, type Harness, harness } from './graphdriver-harness.js';

/** The picture of `root` without the subtree at `inside`. */
async function outside(root: string, inside: string): Promise<Record<string, string>> {
  const rel = path.relative(root, inside);
  const all = await picture(root);
  for (const key of Object.keys(all)) if (key === rel || key.startsWith(`${rel}/`)) delete all[key];
  return all;
}

async function applyRootOf(h: Harness, id: string): Promise<string> {
  const rootfs = await h.backend.get(id); // a base layer: overlay answers its diff dir, unmounted
  await h.backend.put(id);
  return rootfs;
}

async function runCorpus(t: Test, d: DriverUnderTest, fx: TestFileOps): Promise<void> {
  const h = await harness(t, d, fx);
  const sentinel = path.join(h.root, 'sentinel');
  await fsp.mkdir(sentinel);
  await applyLayer(sentinel, await layerStream(SENTINEL_FILES), { whiteouts: 'delete', fileOps: h.ops });
  await h.backend.create('probe', null);
  const up = path.relative(await applyRootOf(h, 'probe'), sentinel);
  const cases = hostileCases(sentinel, up);
  for (const [i, c] of cases.entries()) {
    const id = `hostile${i}`;
    await h.backend.create(id, null);
    const root = await applyRootOf(h, id);
    const before = await outside(h.root, root);
    const err = await h.backend.applyDiff(id, null, await layerStream(c.layer)).then(() => null, (e: unknown) => e);
    const outcome = err === null ? 'neutralise' : kindOf(err) === 'InvalidParameter' ? 'refuse' : `error ${kindOf(err)}`;
    t.equal(outcome, c.expect, `${c.name}${err ? `: ${(err as Error).message}` : ''}`);
    t.same(await outside(h.root, root), before, `${c.name}: nothing outside the layer changed`);
  }
  await neutralisedDetails(t, h, cases.length);
}

// What "neutralised" means for the cases that apply: the layer holds a plain file, not a link out.
async function neutralisedDetails(t: Test, h: Harness, count: number): Promise<void> {
  const names = hostileCases('/x', '..').map((c) => c.name);
  const rootOf = (name: string) => applyRootOf(h, `hostile${names.indexOf(name)}`);
  t.equal(names.length, count);
  const over = await rootOf('file written over a symlink to an outside file');
  t.ok((await fsp.lstat(path.join(over, 'f'))).isFile(), 'the symlink was replaced, not followed');
  const viaHard = await rootOf('hardlink to an escaping symlink, then a file over it');
  t.equal(await fsp.readFile(path.join(viaHard, 'h'), 'utf8'), 'overwrite\n');
  const abs = await rootOf('absolute entry name');
  t.ok((await fsp.lstat(path.join(abs, h.root, 'sentinel', 'abs'))).isFile(), 'an absolute name lands inside the layer');
  if (!h.xattrs) return;
  const forged = await rootOf('forged overlay redirect xattr');
  const xattrs = await h.ops.lgetxattrs(path.join(forged, 'd'));
  t.notOk(xattrs.has('trusted.overlay.redirect'), 'overlay xattrs from a layer are dropped');
}

/** The hostile corpus for one backend. */
export function hostileSuite(t: Test, d: DriverUnderTest, fx: TestFileOps): void {
  t.test('hostile layers are refused or neutralised, nothing escapes', (t) => runCorpus(t, d, fx));
}
