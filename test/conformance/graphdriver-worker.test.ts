/**
 * The graph driver conformance suite (hostile layers included) with layers applied on the apply
 * worker threads, as the daemon applies them, on vfs and, where it runs, overlay. The workers use
 * the default FileOps (the native addon's), so this runs where the test FileOps are the same ones.
 */
import t from 'tap';

import { ApplyPool } from '../../drivers/graph/apply-pool.js';
import { OverlayBackend } from '../../drivers/graph/overlay.js';
import { VfsBackend } from '../../drivers/graph/vfs.js';
import { testFileOps } from '../helpers/tar-fileops.js';
import { graphdriverSuite } from './graphdriver.js';
import { pickMounter } from './graphdriver-mounters.js';

const fx = testFileOps();
const pool = new ApplyPool();
t.teardown(async () => {
  await pool.close();
  await fx.close();
});

if (fx.xattrSource === 'python3') {
  t.comment('worker conformance skipped: the workers would use the addon, the checks python3 xattrs');
} else {
  graphdriverSuite(t, { name: 'vfs', open: (root, ops) => VfsBackend.open(root, { fileOps: ops, applier: pool }), live: true, mounts: false }, fx);
  const picked = pickMounter(fx.ops);
  if ('skip' in picked) t.comment(`overlay on workers skipped: ${picked.skip}`);
  else {
    const open = (root: string, ops: typeof fx.ops) => OverlayBackend.open(root, { fileOps: ops, mounter: picked.mounter, applier: pool });
    graphdriverSuite(t, { name: 'overlay', open, live: picked.live, mounts: picked.live }, fx);
  }
}
