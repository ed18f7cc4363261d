/**
 * The three-layer chain the conformance suite builds on every backend, and what each layer's tree
 * and changes must be. L1 is a small rootfs; L2 modifies, adds, deletes and makes a directory opaque;
 * L3 re-adds what L2 deleted and deletes what L2 added.
 */
import { ChangeKind, type Change } from '../../drivers/graph/backend.js';
import type { TarSpec } from '../helpers/tar.js';

const dir = (name: string, mode = 0o755): TarSpec => ({ name, type: 'directory', mode });
const file = (name: string, content: string, extra: Partial<TarSpec> = {}): TarSpec => ({ name, content, ...extra });

/** A valid VFS_CAP v2 value granting cap_setuid and cap_net_raw: bytes >= 0x80 included. */
export const CAPABILITY = Buffer.from([1, 0, 0, 2, 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** The base layer. `privileged` adds devices, foreign owners and security.capability. */
export function layer1(privileged: boolean, xattrs: boolean): TarSpec[] {
  const base: TarSpec[] = [
    dir('etc'),
    file('etc/passwd', 'root:x:0:0\n', xattrs ? { xattrs: { 'user.berth': 'yes' } } : {}),
    file('etc/group', 'root:x:0:\n'),
    { name: 'etc/passwd-link', type: 'link', linkname: 'etc/passwd' },
    { name: 'etc/alias', type: 'symlink', linkname: 'passwd' },
    { name: 'lib64', type: 'symlink', linkname: '/lib' },
    dir('opt'), dir('opt/app'), file('opt/app/a', 'a'), file('opt/app/b', 'b'), dir('opt/app/sub'), file('opt/app/sub/c', 'c'),
    dir('var'), dir('var/log'), file('var/log/x', 'x'),
    file('usr/bin/su', '#!/bin/true\n', { mode: 0o4755 }),
    dir('srv', 0o2775),
    dir('tmp', 0o1777),
    { name: 'run/fifo', type: 'fifo', mode: 0o620 },
  ];
  if (!privileged) return base;
  return base.concat([
    dir('dev'),
    { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'dev/loop0', type: 'block-device', devmajor: 7, devminor: 0, mode: 0o660, gid: 6 },
    { name: 'home/user', type: 'directory', uid: 1000, gid: 1000, mode: 0o750 },
    file('home/user/file', 'mine', { uid: 1000, gid: 100 }),
    { name: 'home/user/link', type: 'symlink', linkname: 'file', uid: 1000, gid: 1000 },
    file('usr/bin/ping', '#!/bin/true\n', { mode: 0o755, xattrs: { 'security.capability': CAPABILITY } }),
  ]);
}

/** Modifies etc/passwd, adds etc/new, deletes etc/group and var/log, makes opt/app opaque. */
export const LAYER2: TarSpec[] = [
  file('etc/passwd', 'root:x:0:0\nuser:x:1000:1000\n'),
  file('etc/new', 'new'),
  file('etc/.wh.group', ''),
  file('opt/app/.wh..wh..opq', ''),
  file('opt/app/c', 'c2'),
  file('var/.wh.log', ''),
];

/** Re-adds etc/group and var/log, deletes etc/new, opt/app/c and usr/bin/su. */
export const LAYER3: TarSpec[] = [
  file('etc/group', 'recreated\n'),
  file('etc/.wh.new', ''),
  dir('var/log'),
  file('var/log/y', 'y'),
  file('opt/app/.wh.c', ''),
  file('usr/bin/.wh.su', ''),
];

const C = (Path: string, Kind: Change['Kind']): Change => ({ Path, Kind });
const { Modified: M, Added: A, Deleted: D } = ChangeKind;

/** changes(L2, L1) on every backend. */
export const CHANGES2: Change[] = [
  C('/etc', M), C('/etc/group', D), C('/etc/new', A), C('/etc/passwd', M),
  C('/opt', M), C('/opt/app', M), C('/opt/app/a', D), C('/opt/app/b', D), C('/opt/app/c', A), C('/opt/app/sub', D),
  C('/var', M), C('/var/log', D),
];

/** changes(L3, L2) on every backend. */
export const CHANGES3: Change[] = [
  C('/etc', M), C('/etc/group', A), C('/etc/new', D),
  C('/opt', M), C('/opt/app', M), C('/opt/app/c', D),
  C('/usr', M), C('/usr/bin', M), C('/usr/bin/su', D),
  C('/var', M), C('/var/log', A), C('/var/log/y', A),
];

/** The non-directory paths and directories of L1's tree that L2 and L3 leave alone. */
const COMMON = ['etc', 'etc/alias', 'etc/passwd', 'etc/passwd-link', 'lib64', 'opt', 'opt/app', 'run', 'run/fifo', 'srv', 'tmp', 'usr', 'usr/bin', 'var'];

/** Extra paths of L1 when privileged. */
export const PRIVILEGED_PATHS = ['dev', 'dev/loop0', 'dev/null', 'home', 'home/user', 'home/user/file', 'home/user/link', 'usr/bin/ping'];

/** The sorted path list of the tree after L2 / L3 (without the privileged extras). */
export const TREE2 = [...COMMON, 'etc/new', 'opt/app/c', 'usr/bin/su'].sort();
/** See TREE2. */
export const TREE3 = [...COMMON, 'etc/group', 'var/log', 'var/log/y'].sort();
