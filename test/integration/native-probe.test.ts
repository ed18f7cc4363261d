/**
 * The kernel probe against the real machine. Not gated: CI builds the addon before tests, so a
 * missing .node file is a failure here, never a skip.
 */
import os from 'node:os';
import t from 'tap';

import { loadNative, nativeAddonPath, type KernelProbe } from '../../drivers/native/addon.js';

function probe(): KernelProbe {
  return loadNative().kernelProbe();
}

t.test('addon loads from the built file', async (t) => {
  t.doesNotThrow(() => loadNative(), `addon at ${nativeAddonPath()}`);
  t.equal(loadNative(), loadNative(), 'loadNative caches the module');
});

t.test('uname facts match node', async (t) => {
  const p = probe();
  t.equal(p.kernelVersion, os.release());
  t.equal(p.ncpu, os.cpus().length);
  t.equal(p.memTotal, os.totalmem(), 'MemTotal in bytes, as libuv reads it');
  t.ok(p.architecture.length > 0, 'architecture is set');
  t.ok(p.operatingSystem.length > 0, 'operating system is set');
});

t.test('namespaces and filesystems', async (t) => {
  const p = probe();
  t.equal(p.namespaces.pid, true);
  t.equal(p.namespaces.mnt, true);
  t.type(p.overlay, 'boolean');
});

t.test('cgroup layout is consistent', async (t) => {
  const { layout, v2Root, controllers } = probe().cgroup;
  t.ok(['v1', 'hybrid', 'v2'].includes(layout), `layout ${layout}`);
  t.ok(controllers.length > 0, `controllers: ${controllers.join(' ')}`);
  if (layout === 'v1') t.equal(v2Root, null);
  else t.type(v2Root, 'string');
  if (layout === 'v2') t.equal(v2Root, '/sys/fs/cgroup');
});
