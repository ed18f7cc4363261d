/**
 * restore's view of the mount table: which mount points lie under the data root (a lost run's
 * rootfs is found among them), with mountinfo's octal escapes undone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { mountsUnder } from '../../actors/container/leftovers.js';

t.test('mountsUnder: mount points below the root only, escapes undone', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-unit-mounts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'mountinfo');
  writeFileSync(file, [
    '22 1 0:21 / / rw - ext4 /dev/vda1 rw',
    '90 22 0:50 / /var/lib/berth/overlay/abc/merged rw - overlay overlay rw,lowerdir=x',
    '91 22 0:51 / /var/lib/berth2/overlay/def/merged rw - overlay overlay rw',
    '92 22 0:52 / /var/lib/berth/with\\040space/merged rw - overlay overlay rw',
    '93 22 0:53 / /var/lib/berth rw - ext4 /dev/vdb rw',
    '',
  ].join('\n'));
  t.same(mountsUnder('/var/lib/berth', file), ['/var/lib/berth/overlay/abc/merged', '/var/lib/berth/with space/merged'], 'not the root itself, not a sibling sharing its prefix');
  t.same(mountsUnder('/var/lib/berth/', file), ['/var/lib/berth/overlay/abc/merged', '/var/lib/berth/with space/merged'], 'a trailing slash changes nothing');
  t.same(mountsUnder('/var/lib/berth', path.join(dir, 'missing')), [], 'no mount table: no mounts');
});
