/**
 * applyLayer on a plain directory: compression detection, entry types, modes and times, whiteout
 * semantics (vfs mode), malformed input. Overlay-mode whiteouts and ownership run in the
 * conformance suite; hostile archives in graph-hostile.test.ts.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import t, { type Test } from 'tap';

import { applyLayer } from '../../drivers/graph/apply.js';
import { NodeFileOps } from '../../drivers/graph/fileops.js';
import { nativeStartWriteback, nativeSyncFs } from '../../drivers/graph/native.js';
import { kindOf } from '../../protocol/errdefs.js';
import { T0, type TarSpec, buildTar, layerStream } from '../helpers/tar.js';
import { testFileOps } from '../helpers/tar-fileops.js';
import { listTree, picture, removeTree } from '../helpers/tar-tree.js';

const fx = testFileOps();
t.teardown(() => fx.close());
const ops = fx.ops;

async function tmpdir(t: Test): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-apply-'));
  t.teardown(() => removeTree(dir));
  return dir;
}

async function apply(root: string, specs: TarSpec[], compression: 'none' | 'gzip' | 'zstd' = 'none') {
  return applyLayer(root, await layerStream(specs, compression), { whiteouts: 'delete', fileOps: ops });
}

const BASE: TarSpec[] = [
  { name: 'etc', type: 'directory' },
  { name: 'etc/hostname', content: 'box\n' },
  { name: 'bin', type: 'directory', mode: 0o555 },
  { name: 'bin/tool', content: '#!/bin/sh\n', mode: 0o4755 },
  { name: 'bin/alias', type: 'symlink', linkname: 'tool' },
  { name: 'bin/hard', type: 'link', linkname: 'bin/tool' },
  { name: 'tmp', type: 'directory', mode: 0o1777 },
  { name: 'srv', type: 'directory', mode: 0o2750 },
  { name: 'secret', content: 'x', mode: 0 },
  { name: 'run/fifo', type: 'fifo', mode: 0o600 },
];

t.test('plain, gzip and zstd layers give the same tree', async (t) => {
  const pics = [];
  for (const c of ['none', 'gzip', 'zstd'] as const) {
    const root = await tmpdir(t);
    const { size } = await apply(root, BASE, c);
    t.equal(size, 4 + 10 + 1, `${c}: size counts file content bytes`);
    pics.push(await picture(root, ops, { owners: false, mtimes: false })); // implicit dirs get 'now'
  }
  t.same(pics[1], pics[0]);
  t.same(pics[2], pics[0]);
});

t.test('entry types, modes, times', async (t) => {
  const root = await tmpdir(t);
  await apply(root, BASE);
  const p = await picture(root, ops, { owners: false });
  const sec = `t${T0.getTime() / 1000}`;
  t.match(p['bin/tool'], /^file \w+ 4755 /, 'setuid kept');
  t.match(p['bin/hard'], /link=bin\/hard/, 'hardlink shares the inode');
  t.match(p['bin/tool'], /link=bin\/hard/);
  t.equal(p['bin/alias'], 'symlink -> tool');
  t.match(p.bin, `dir 0555 ${sec}`, 'read-only dir mode set after its children were written');
  t.match(p.tmp, /^dir 1777/, 'sticky');
  t.match(p.srv, /^dir 2750/, 'setgid dir');
  t.match(p.secret, /^file \w+ 0000/, 'mode 0 stays 0');
  t.match(p['run/fifo'], /^fifo 0600/);
  t.match(p.run, /^dir 0755/, 'missing parents are made 0755');
  t.match(p['etc/hostname'], sec, 'file mtime');
});

t.test('whiteouts delete lower paths, never this layer\'s own', async (t) => {
  const root = await tmpdir(t);
  await apply(root, [
    { name: 'a', type: 'directory' }, { name: 'a/old', content: '1' }, { name: 'a/sub/deep', content: '2' },
    { name: 'b', content: 'b' }, { name: 'c', type: 'directory' }, { name: 'c/x', content: 'x' },
    { name: 'o', type: 'directory' }, { name: 'o/lower', content: 'l' }, { name: 'o/keep/lower', content: 'l' },
  ]);
  await apply(root, [
    { name: '.wh.b' },
    { name: 'c/new', content: 'n' }, { name: 'c/.wh.new' }, // same layer: the whiteout hides only lower files
    { name: 'o/keep/mine', content: 'm' },
    { name: 'o/.wh..wh..opq' }, // after this layer's own children: it still only hides the lower ones
    { name: 'a/.wh.sub' },
    { name: 'missing/.wh.nothing' },
  ]);
  t.same(await listTree(root), ['a', 'a/old', 'c', 'c/new', 'c/x', 'o', 'o/keep', 'o/keep/mine']);
});

t.test('replacing: file over dir, dir over file, dir over dir keeps children', async (t) => {
  const root = await tmpdir(t);
  await apply(root, [{ name: 'd/x', content: '1' }, { name: 'f', content: '2' }, { name: 'k/child', content: '3' }]);
  await apply(root, [{ name: 'd', content: 'now a file' }, { name: 'f', type: 'directory' }, { name: 'k', type: 'directory', mode: 0o700 }]);
  const p = await picture(root, null, { owners: false, mtimes: false });
  t.match(p.d, /^file/);
  t.match(p.f, /^dir/);
  t.match(p.k, /^dir 0700/);
  t.ok(p['k/child'], 'existing directory kept its children');
});

t.test('long names and AUFS metadata', async (t) => {
  const root = await tmpdir(t);
  const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
  await apply(root, [{ name: long, content: 'long' }, { name: '.wh..wh.plnk/123.45', content: 'aufs' }, { name: '.wh..wh.aufs' }]);
  t.same(await listTree(root), ['d'.repeat(120), long]);
});

t.test('xattrs from PAX headers, binary values intact', { skip: fx.xattrSource === 'none' && 'no xattr support (no addon export, no python3)' }, async (t) => {
  const root = await tmpdir(t);
  const binary = Buffer.from([0x80, 0xff, 0x00, 0x41, 0xc3]);
  await apply(root, [
    { name: 'f', content: 'x', xattrs: { 'user.text': 'hello', 'user.bin': binary } },
    { name: 'd', type: 'directory', xattrs: { 'user.d': 'dir' } },
    { name: 'l', type: 'symlink', linkname: 'f', xattrs: { 'user.l': 'no' } }, // the kernel refuses: skipped, as Docker does
  ]);
  const f = await ops.lgetxattrs(path.join(root, 'f'));
  t.equal(f.get('user.text')?.toString(), 'hello');
  t.same(f.get('user.bin'), binary, `bytes >= 0x80 survive (xattrs via ${fx.xattrSource})`);
  t.equal((await ops.lgetxattrs(path.join(root, 'd'))).get('user.d')?.toString(), 'dir');
});

t.test('unprivileged: no ownership, no device nodes, only user.* xattrs', async (t) => {
  const root = await tmpdir(t);
  const rootless = new NodeFileOps({ privileged: false, xattr: null });
  await applyLayer(root, await layerStream([
    { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
    { name: 'owned', content: 'x', uid: 4242, gid: 4242, xattrs: { 'trusted.x': 'y' } },
  ]), { whiteouts: 'delete', fileOps: rootless });
  t.same(await listTree(root), ['dev', 'owned']);
  t.equal((await fsp.lstat(path.join(root, 'owned'))).uid, process.getuid?.());
});

t.test('bad input is InvalidParameter or NotImplemented', async (t) => {
  const root = await tmpdir(t);
  const tarball = await buildTar(BASE);
  const cases: [string, Readable, string][] = [
    ['truncated tar', Readable.from([tarball.subarray(0, 700)]), 'InvalidParameter'],
    ['corrupt gzip', Readable.from([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3])]), 'InvalidParameter'],
    ['xz', Readable.from([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0])]), 'NotImplemented'],
    ['bare .wh.', await layerStream([{ name: 'a/.wh.' }]), 'InvalidParameter'],
    ['hardlinked directory', await layerStream([{ name: 'd', type: 'directory' }, { name: 'h', type: 'link', linkname: 'd' }]), 'InvalidParameter'],
    ['entry inside a whiteout', await layerStream([{ name: '.wh.x/y' }]), 'InvalidParameter'],
  ];
  for (const [what, stream, kind] of cases) {
    const err = await applyLayer(root, stream, { whiteouts: 'delete', fileOps: ops }).then(() => null, (e: unknown) => e);
    t.equal(kindOf(err), kind, `${what}: ${(err as Error)?.message}`);
  }
  // Go's tar reader (so Docker) reads an empty stream as an empty archive; so does berth.
  t.same(await applyLayer(root, Readable.from([]), { whiteouts: 'delete', fileOps: ops }), { size: 0 });
});

t.test('durable before it returns: one syncfs of the root, after the last entry; a failed sync fails the apply', async (t) => {
  const root = await tmpdir(t);
  const calls: { dir: string; files: string[] }[] = [];
  const recording = new NodeFileOps({ privileged: false, xattr: null, syncfs: async (dir) => void calls.push({ dir, files: await listTree(dir) }) });
  await applyLayer(root, await layerStream([{ name: 'a/b', content: '1' }, { name: 'c', content: '2' }]), { whiteouts: 'delete', fileOps: recording });
  t.same(calls, [{ dir: root, files: ['a', 'a/b', 'c'] }], 'one call, with every entry already written');
  const failing = new NodeFileOps({ privileged: false, xattr: null, syncfs: async () => Promise.reject(new Error('EIO')) });
  const err = await applyLayer(await tmpdir(t), await layerStream([{ name: 'x', content: '1' }]), { whiteouts: 'delete', fileOps: failing }).then(() => null, (e: unknown) => e);
  t.ok(err, 'the apply fails when its data could not be made durable');
});

t.test('the syncfs providers: the addon\'s and `sync -f` both flush a directory\'s filesystem', async (t) => {
  const root = await tmpdir(t);
  await fsp.writeFile(path.join(root, 'f'), 'x');
  await new NodeFileOps({ privileged: false, xattr: null }).syncfs(root); // coreutils fallback
  const native = nativeSyncFs();
  if (!native) {
    t.comment('the addon has no syncFs (npm run build:native): its half is skipped');
    return;
  }
  await native(root);
  const err = await native(path.join(root, 'missing')).then(() => null, (e: unknown) => e as NodeJS.ErrnoException);
  t.equal(err?.code, 'ENOENT', 'a missing directory is a SystemError');
});

t.test('a large file\'s data is handed to writeback as it is written; small files are left to the syncfs', async (t) => {
  const root = await tmpdir(t);
  const calls: string[] = [];
  const recording = new NodeFileOps({ privileged: false, xattr: null, startWriteback: (_fd, p) => void calls.push(path.relative(root, p)) });
  const big = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
  await applyLayer(root, await layerStream([{ name: 'small', content: 'x' }, { name: 'big', content: big }]), { whiteouts: 'delete', fileOps: recording });
  t.ok(calls.length >= 2 && calls.every((c) => c === 'big'), `writeback started for the large file only: ${calls.join(' ')}`);
  t.same(await fsp.readFile(path.join(root, 'big')), big, 'its content is whole');
  const native = nativeStartWriteback();
  if (!native) {
    t.comment('the addon has no startWriteback (npm run build:native): its half is skipped');
    return;
  }
  const fh = await fsp.open(path.join(root, 'big'), 'r+');
  try {
    native(fh.fd, 'big');
  } finally {
    await fh.close();
  }
  t.throws(() => native(-1, 'nowhere'), { code: 'EBADF', syscall: 'sync_file_range' }, 'a bad descriptor is a SystemError');
});
