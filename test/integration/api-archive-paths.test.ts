/**
 * The pure parts of volumes and `docker cp`, without root: -v / --mount parsing with dockerd's
 * refusals, in-container path resolution (symlinks stay inside, mounts map to their sources), Go's
 * FileMode bits, and the runtime's paths left out of changes.
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { containerFs, goFileMode, hostPath, resolveInScope, resolvePath } from '../../actors/container/archive-path.js';
import { withoutInitPaths } from '../../actors/container/changes.js';
import type { ContainerRecord } from '../../actors/services/containers/record.js';
import { parseBind, planMounts } from '../../actors/volume/parse.js';

t.test('-v and --mount', async (t) => {
  t.match(parseBind('data:/d'), { Type: 'volume', Name: 'data', Destination: '/d', Mode: 'z', RW: true, copy: true });
  t.match(parseBind('/d'), { Type: 'volume', Name: null, Mode: '' });
  t.match(parseBind('/h:/d:ro,rshared'), { Type: 'bind', Source: '/h', RW: false, Propagation: 'rshared', Mode: 'ro,rshared' });
  t.match(parseBind('v:/d:nocopy'), { copy: false });
  for (const bad of ['/d:ro', 'v:rel', 'a:b:c:d', 'v:/d:bogus', ':/d', 'v:/']) t.throws(() => parseBind(bad), /invalid/, bad);
  t.throws(() => planMounts({}, { Binds: ['a:/x', 'b:/x/'] }), /Duplicate mount point: \/x/);
  const planned = planMounts({ Volumes: { '/img': {}, '/x': {} } }, { Binds: ['a:/x'], Mounts: [{ Type: 'tmpfs', Target: '/t' }] });
  t.same(planned.map((m) => [m.Type, m.Name, m.Destination]), [['volume', 'a', '/x'], ['tmpfs', null, '/t'], ['volume', null, '/img']], 'an image VOLUME another mount covers gets no volume');
});

t.test('paths resolve inside the container', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'berth-test-paths-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const rootfs = path.join(root, 'rootfs');
  const vol = path.join(root, 'vol');
  mkdirSync(path.join(rootfs, 'usr', 'bin'), { recursive: true });
  mkdirSync(vol);
  writeFileSync(path.join(rootfs, 'usr', 'bin', 'tool'), 'x');
  symlinkSync('usr/bin', path.join(rootfs, 'bin'));
  symlinkSync('/', path.join(rootfs, 'up'));
  symlinkSync('../../../../../../etc', path.join(rootfs, 'usr', 'climb'));
  symlinkSync('loop', path.join(rootfs, 'loop'));
  const r = { Mounts: [{ Type: 'volume', Source: vol, Destination: '/data', Mode: '', RW: true, Propagation: '' }] } as unknown as ContainerRecord;
  const fs = containerFs(r, rootfs);
  t.same(await resolveInScope(fs, '/bin/tool'), ['usr', 'bin', 'tool'], 'a relative link');
  t.same(await resolveInScope(fs, '/up/up/usr'), ['usr'], 'an absolute link starts at the container root');
  t.same(await resolveInScope(fs, '/usr/climb/passwd'), ['etc', 'passwd'], '.. stops at the container root');
  t.same(await resolveInScope(fs, '/../../etc'), ['etc']);
  await t.rejects(resolveInScope(fs, '/loop/x'), /too many levels of symbolic links/);
  t.same(await resolvePath(fs, '/bin'), { parts: ['bin'], name: 'bin' }, 'the last link is kept…');
  t.same(await resolvePath(fs, '/bin/'), { parts: ['usr', 'bin'], name: 'bin' }, '…unless the path ends in /');
  t.equal(hostPath(fs, ['data', 'f']), path.join(vol, 'f'), 'a volume maps to its source');
  t.equal(hostPath(fs, ['etc', 'passwd']), path.join(rootfs, 'etc', 'passwd'));
  t.equal(goFileMode(lstatSync(path.join(rootfs, 'bin'))), 2 ** 27 + 0o777);
  t.equal(goFileMode(lstatSync(rootfs)) >= 2 ** 31, true);
});

t.test('changes without the runtime\'s paths', async (t) => {
  const c = (Path: string, Kind: 0 | 1 | 2) => ({ Path, Kind });
  t.same(withoutInitPaths([c('/dev', 1), c('/dev/pts', 1), c('/etc', 0), c('/etc/hostname', 1), c('/proc', 1)]), [], 'only the runtime\'s');
  t.same(withoutInitPaths([c('/etc', 0), c('/etc/hosts', 1), c('/etc/app', 1), c('/tmp', 0)]), [c('/etc', 0), c('/etc/app', 1), c('/tmp', 0)]);
});
