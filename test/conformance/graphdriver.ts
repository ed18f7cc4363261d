/**
 * The graph driver conformance suite: every backend (vfs, overlay) runs the same cases. Cases that
 * need root (devices, owners, security.capability) or xattrs check what the host allows and say so.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';

import { ChangeKind } from '../../drivers/graph/backend.js';
import { devNumbers } from '../../drivers/graph/tree.js';
import { kindOf } from '../../protocol/errdefs.js';
import { layerStream } from '../helpers/tar.js';
import type { TestFileOps } from '../helpers/tar-fileops.js';
import { diffCases } from './graphdriver-diff.js';
import { type DriverUnderTest, type Harness, chain, harness, layer, pathsOf, within } from './graphdriver-harness.js';
import { hostileSuite } from './graphdriver-hostile.js';
import { CAPABILITY, CHANGES2, CHANGES3, PRIVILEGED_PATHS, TREE2, TREE3, layer1 } from './graphdriver-layers.js';
import { mountsUnder } from './graphdriver-mounters.js';

export type { DriverUnderTest } from './graphdriver-harness.js';

async function rejectsWith(t: Test, p: Promise<unknown>, kind: string, what: string): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  t.equal(err === null ? 'resolved' : kindOf(err), kind, `${what}: ${(err as Error | null)?.message ?? 'no error'}`);
}

async function lifecycle(t: Test, h: Harness): Promise<void> {
  const b = h.backend;
  t.equal(await b.exists('a'), false);
  await b.create('a', null);
  t.equal(await b.exists('a'), true);
  await rejectsWith(t, b.create('a', null), 'Conflict', 'create twice');
  await rejectsWith(t, b.create('b', 'missing'), 'NotFound', 'missing parent');
  await rejectsWith(t, b.create('../x', null), 'InvalidParameter', 'path-like id');
  const rootfs = await b.get('a');
  t.ok((await fsp.stat(rootfs)).isDirectory(), 'get returns a directory');
  await b.put('a');
  await b.remove('a');
  t.equal(await b.exists('a'), false);
  await rejectsWith(t, b.remove('a'), 'NotFound', 'remove twice');
  await rejectsWith(t, b.get('a'), 'NotFound', 'get removed');
  const raced = await Promise.allSettled([b.create('r', null), b.create('r', null)]);
  t.same(raced.map((r) => (r.status === 'fulfilled' ? 'ok' : kindOf(r.reason))).sort(), ['Conflict', 'ok'], 'racing creates: one wins');
  const status = b.status();
  t.ok(status.every((row) => row.length === 2 && row.every((s) => typeof s === 'string')), 'status is [key, value] pairs');
  t.ok(status.some(([k]) => k === 'Backing Filesystem'));
}

async function reopen(t: Test, h: Harness, d: DriverUnderTest): Promise<void> {
  await layer(h, 'kept', null, [{ name: 'f', content: 'x' }]);
  const home = path.join(h.root, 'graph', d.name);
  await fsp.mkdir(path.join(home, '.tmp-half-0000', 'diff'), { recursive: true });
  const again = await d.open(path.join(h.root, 'graph'), h.ops);
  t.equal(await again.exists('kept'), true, 'layers survive a restart');
  t.notOk((await fsp.readdir(home)).includes('.tmp-half-0000'), 'a half-built layer from a crash is swept');
  await within({ ...h, backend: again }, 'kept', async (r) => t.equal(await fsp.readFile(path.join(r, 'f'), 'utf8'), 'x'));
}

async function refcount(t: Test, h: Harness, d: DriverUnderTest): Promise<void> {
  await layer(h, 'base', null, [{ name: 'f', content: 'hello' }]);
  await h.backend.create('child', 'base');
  const p1 = await h.backend.get('child');
  const p2 = await h.backend.get('child');
  t.equal(p2, p1, 'the same rootfs for every get');
  t.equal(mountsUnder(p1).length, d.mounts ? 1 : 0, 'mounted once');
  await h.backend.put('child');
  t.equal(await fsp.readFile(path.join(p1, 'f'), 'utf8'), 'hello', 'still usable after one of two puts');
  if (d.mounts) {
    await rejectsWith(t, h.backend.remove('child'), 'Conflict', 'remove while mounted');
    await rejectsWith(t, h.backend.applyDiff('child', 'base', await layerStream([])), 'Conflict', 'apply while mounted');
  }
  await h.backend.put('child');
  t.same(mountsUnder(p1), [], 'the last put unmounts');
  await h.backend.remove('child');
}

async function layerChain(t: Test, h: Harness): Promise<void> {
  await chain(h);
  const extra = h.privileged ? PRIVILEGED_PATHS : [];
  const l1 = (await pathsOf(h, 'l1')).filter((p) => !extra.includes(p));
  t.ok(l1.includes('etc/group') && l1.includes('opt/app/sub/c') && l1.includes('usr/bin/su'), 'l1 is the base tree');
  t.same(await pathsOf(h, 'l2'), [...TREE2, ...extra].sort(), 'l2: add, modify, whiteout, opaque');
  t.same(await pathsOf(h, 'l3'), [...TREE3, ...extra].sort(), 'l3: re-add and delete again');
  t.same((await pathsOf(h, 'l1')).filter((p) => !extra.includes(p)), l1, 'l1 untouched by its children');
  await within(h, 'l3', async (r) => {
    t.equal(await fsp.readFile(path.join(r, 'etc/passwd'), 'utf8'), 'root:x:0:0\nuser:x:1000:1000\n', 'modified in l2');
    t.equal(await fsp.readFile(path.join(r, 'etc/group'), 'utf8'), 'recreated\n', 're-added in l3');
  });
  await within(h, 'l2', async (r) => t.equal(await fsp.readFile(path.join(r, 'opt/app/c'), 'utf8'), 'c2', 'opaque dir keeps its new child'));
}

async function metadata(t: Test, h: Harness): Promise<void> {
  await chain(h);
  await within(h, 'l1', async (r) => {
    const [a, b] = await Promise.all(['etc/passwd', 'etc/passwd-link'].map((p) => fsp.lstat(path.join(r, p))));
    t.equal(a?.ino, b?.ino, 'hardlink: one inode');
    if (h.xattrs) t.equal((await h.ops.lgetxattrs(path.join(r, 'etc/passwd'))).get('user.berth')?.toString(), 'yes', 'user xattr');
  });
  await within(h, 'l2', async (r) => {
    const st = (p: string) => fsp.lstat(path.join(r, p));
    t.equal((await st('usr/bin/su')).mode & 0o7777, 0o4755, 'setuid kept through the chain');
    t.equal((await st('srv')).mode & 0o7777, 0o2775, 'setgid dir');
    t.equal((await st('tmp')).mode & 0o7777, 0o1777, 'sticky dir');
    t.ok((await st('run/fifo')).isFIFO(), 'fifo');
    t.equal(await fsp.readlink(path.join(r, 'etc/alias')), 'passwd', 'relative symlink');
    t.equal(await fsp.readlink(path.join(r, 'lib64')), '/lib', 'absolute symlink kept as text');
    if (!h.privileged) return void t.comment('not root: devices, owners and security.capability not checked');
    const dev = await st('dev/null');
    t.ok(dev.isCharacterDevice(), 'char device');
    t.same(devNumbers(dev.rdev), { major: 1, minor: 3 });
    const loop = await st('dev/loop0');
    t.ok(loop.isBlockDevice() && loop.gid === 6 && devNumbers(loop.rdev).major === 7, 'block device 7,0 group 6');
    const home = await st('home/user');
    t.same([home.uid, home.gid, home.mode & 0o7777], [1000, 1000, 0o750], 'dir owner and mode');
    t.same([(await st('home/user/file')).uid, (await st('home/user/file')).gid], [1000, 100], 'file owner');
    t.equal((await st('home/user/link')).uid, 1000, 'symlink owner (lchown)');
    const caps = (await h.ops.lgetxattrs(path.join(r, 'usr/bin/ping'))).get('security.capability');
    t.same(caps, CAPABILITY, 'security.capability, binary, through the chain');
  });
}

async function changes(t: Test, h: Harness): Promise<void> {
  await chain(h);
  t.same(await h.backend.changes('l2', 'l1'), CHANGES2, 'changes(l2, l1)');
  t.same(await h.backend.changes('l3', 'l2'), CHANGES3, 'changes(l3, l2)');
  const all = await h.backend.changes('l1', null);
  t.ok(all.every((c) => c.Kind === ChangeKind.Added), 'a base layer only adds');
  t.same(all.map((c) => c.Path.slice(1)), await pathsOf(h, 'l1'), 'every path of the base layer');
}

async function compressed(t: Test, h: Harness): Promise<void> {
  const specs = layer1(h.privileged, h.xattrs);
  for (const c of ['gzip', 'zstd'] as const) {
    const { size } = await layer(h, c, null, specs, c);
    t.ok(size > 0, `${c}: size ${size}`);
  }
  await layer(h, 'plain', null, specs);
  t.same(await pathsOf(h, 'gzip'), await pathsOf(h, 'plain'));
  t.same(await pathsOf(h, 'zstd'), await pathsOf(h, 'plain'));
}

/** Runs the whole suite against one backend. */
export function graphdriverSuite(t: Test, d: DriverUnderTest, fx: TestFileOps): void {
  t.comment(`${d.name}: root=${fx.ops.privileged} xattrs=${fx.xattrSource}`);
  const cases: [string, (t: Test, h: Harness) => Promise<void>][] = [
    ['create, get, put, remove', lifecycle],
    ['get/put are reference-counted', (t, h) => refcount(t, h, d)],
    ['reopening after a crash', (t, h) => reopen(t, h, d)],
    ['a chain of three layers', layerChain],
    ['metadata survives the chain', metadata],
    ['changes', changes],
    ['gzip and zstd layers', compressed],
  ];
  for (const [name, fn] of cases) t.test(name, async (t) => fn(t, await harness(t, d, fx)));
  diffCases(t, d, fx);
  hostileSuite(t, d, fx);
}
