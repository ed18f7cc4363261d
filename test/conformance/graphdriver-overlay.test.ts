/**
 * The graph driver conformance suite on the overlay backend. Needs root and xattrs; mounts with the
 * native addon, else mount(8), else (no overlayfs) a copying fake; BERTH_TEST_MOUNTER=command|fake
 * forces one. Says which in its first comment, and why when it skips.
 */
import t from 'tap';

import { OverlayBackend } from '../../drivers/graph/overlay.js';
import { testFileOps } from '../helpers/tar-fileops.js';
import { graphdriverSuite } from './graphdriver.js';
import { pickMounter } from './graphdriver-mounters.js';

const fx = testFileOps();
t.teardown(() => fx.close());
const picked = pickMounter(fx.ops);

if ('skip' in picked) {
  t.comment(`overlay conformance skipped: ${picked.skip}`);
  t.test('overlay conformance suite', { skip: picked.skip }, async () => {});
} else {
  t.comment(`overlay mounts via ${picked.kind}`);
  const open = (root: string, ops: typeof fx.ops) => OverlayBackend.open(root, { fileOps: ops, mounter: picked.mounter });
  graphdriverSuite(t, { name: 'overlay', open, live: picked.live, mounts: picked.live }, fx);
}
