/** The graph driver conformance suite on the vfs backend (runs everywhere; root adds the privileged cases). */
import t from 'tap';

import { VfsBackend } from '../../drivers/graph/vfs.js';
import { testFileOps } from '../helpers/tar-fileops.js';
import { graphdriverSuite } from './graphdriver.js';

const fx = testFileOps();
t.teardown(() => fx.close());

graphdriverSuite(t, { name: 'vfs', open: (root, ops) => VfsBackend.open(root, { fileOps: ops }), live: true, mounts: false }, fx);
