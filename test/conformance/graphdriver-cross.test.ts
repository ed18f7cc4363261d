/**
 * vfs and overlay speak the same diff: each backend's diff of every chain layer, applied on the
 * other backend, rebuilds the same trees and the same changes. Needs what the overlay suite needs.
 */
import t, { type Test } from 'tap';

import type { FileOps } from '../../drivers/graph/fileops.js';
import { OverlayBackend } from '../../drivers/graph/overlay.js';
import { VfsBackend } from '../../drivers/graph/vfs.js';
import { testFileOps } from '../helpers/tar-fileops.js';
import { type DriverUnderTest, type Harness, chain, harness, pictureOf } from './graphdriver-harness.js';
import { pickMounter } from './graphdriver-mounters.js';

const fx = testFileOps();
t.teardown(() => fx.close());
const picked = pickMounter(fx.ops);
const CHAIN: [string, string | null][] = [['l1', null], ['l2', 'l1'], ['l3', 'l2']];

async function across(t: Test, from: DriverUnderTest, to: DriverUnderTest): Promise<void> {
  const a: Harness = await harness(t, from, fx);
  await chain(a);
  const b: Harness = await harness(t, to, fx);
  for (const [id, parent] of CHAIN) {
    await b.backend.create(id, parent);
    await b.backend.applyDiff(id, parent, await a.backend.diff(id, parent));
    t.same(await pictureOf(b, id), await pictureOf(a, id), `${id}: same tree on ${to.name}`);
    t.same(await b.backend.changes(id, parent), await a.backend.changes(id, parent), `${id}: same changes`);
  }
}

if ('skip' in picked) {
  t.comment(`cross-backend diffs skipped: ${picked.skip}`);
  t.test('cross-backend diffs', { skip: picked.skip }, async () => {});
} else {
  const vfs: DriverUnderTest = { name: 'vfs', open: (root, ops: FileOps) => VfsBackend.open(root, { fileOps: ops }), live: true, mounts: false };
  const overlay: DriverUnderTest = {
    name: 'overlay',
    open: (root, ops: FileOps) => OverlayBackend.open(root, { fileOps: ops, mounter: picked.mounter }),
    live: picked.live,
    mounts: picked.live,
  };
  t.comment(`overlay mounts via ${picked.kind}`);
  t.test('vfs diffs apply on overlay', (t) => across(t, vfs, overlay));
  t.test('overlay diffs apply on vfs', (t) => across(t, overlay, vfs));
}
