/** The exec driver conformance suite on the fake backend (plain child processes, no root needed). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';

import { FakeBackend } from '../../drivers/exec/fake.js';
import { execDriverConformance } from './execdriver.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'berth-execfake-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

execDriverConformance(t, {
  backend: () => new FakeBackend(),
  spec: (script) => ({ ociVersion: '1.0.2', process: { args: ['sh', '-c', script], cwd: '/' }, root: { path: '/nonexistent' } }),
  paths: (id) => {
    const dir = path.join(root, `${id}-${++n}`);
    return { bundle: path.join(dir, 'bundle'), state: path.join(dir, 'state'), log: path.join(dir, 'log.json') };
  },
});
