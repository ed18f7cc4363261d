/**
 * berth's tar formats against independent tools: PAX records with binary values, the writer read by
 * GNU tar and by tar-stream, a GNU-tar-made layer with security.capability applied, and real zstd.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import tar from 'tar-stream';

import { applyLayer } from '../../drivers/graph/apply.js';
import { decompressed, detectCompression } from '../../drivers/graph/decompress.js';
import { encodePax, parsePaxXattrs } from '../../drivers/graph/pax.js';
import { END_OF_ARCHIVE, type TarEntry, encodeHeader, entryBytes } from '../../drivers/graph/tar-write.js';
import { kindOf } from '../../protocol/errdefs.js';
import { buildTar, zstdFrame } from '../helpers/tar.js';
import { testFileOps } from '../helpers/tar-fileops.js';
import { removeTree } from '../helpers/tar-tree.js';

const run = promisify(execFile);
const fx = testFileOps();
t.teardown(() => fx.close());
const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

async function tmpdir(t: Test): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-tar-'));
  t.teardown(() => removeTree(dir));
  return dir;
}

async function bytesOf(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

t.test('PAX records: binary values and self-counting lengths', async (t) => {
  const binary = Buffer.from([0x80, 0x00, 0xff, 0x0a, 0x3d]); // high bytes, NUL, newline, '='
  for (const len of [1, 80, 88, 89, 90, 985, 986, 995]) {
    const xattrs = new Map([['user.v', Buffer.alloc(len, 0x61)], ['user.bin', binary]]);
    const body = encodePax('p', null, xattrs);
    t.same(parsePaxXattrs(body), xattrs, `value of ${len} bytes`);
  }
  t.same(parsePaxXattrs(Buffer.from('garbage without length\n')), new Map(), 'malformed: nothing, no loop');
  t.same(parsePaxXattrs(Buffer.from('99 path=x\n')), new Map(), 'a length past the end stops');
});

const ENTRIES: TarEntry[] = [
  { name: 'd', type: 'directory', mode: 0o2755, uid: 0, gid: 0, size: 0, mtime: new Date(1e12) },
  { name: 'd/file', type: 'file', mode: 0, uid: 1, gid: 2, size: 5, mtime: new Date(1e12) },
  { name: `d/${'long'.repeat(40)}`, type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, mtime: new Date(1e12), linkname: 'file' },
  { name: 'd/x', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: new Date(1e12), xattrs: new Map([['user.k', Buffer.from('v')]]) },
  { name: 'd/ünï', type: 'char', mode: 0o600, uid: 0, gid: 0, size: 0, mtime: new Date(1e12), devmajor: 1, devminor: 3 },
];

async function archive(): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const e of ENTRIES) parts.push(await bytesOf(entryBytes(e, e.size ? Readable.from([Buffer.from('hello')]) : undefined)));
  return Buffer.concat([...parts, END_OF_ARCHIVE]);
}

t.test('the writer is read back by tar-stream', async (t) => {
  const extract = tar.extract();
  Readable.from([await archive()]).pipe(extract);
  const seen: string[] = [];
  for await (const entry of extract as unknown as AsyncIterable<{ header: tar.Header; resume(): void }>) {
    const h = entry.header;
    seen.push(`${h.name} ${h.type} ${h.mode.toString(8)} ${h.uid}:${h.gid} ${h.linkname ?? ''}`.trim());
    entry.resume();
  }
  t.same(seen, [
    'd/ directory 2755 0:0', 'd/file file 0 1:2', `d/${'long'.repeat(40)} symlink 777 0:0 file`, 'd/x file 644 0:0', 'd/ünï character-device 600 0:0',
  ]);
});

t.test('the writer is read by GNU tar, xattrs included', { skip: !has('tar') && 'no tar(1)' }, async (t) => {
  const dir = await tmpdir(t);
  await fsp.writeFile(path.join(dir, 'a.tar'), await archive());
  const { stdout } = await run('tar', ['--xattrs', '-tvf', path.join(dir, 'a.tar')]);
  t.match(stdout, /^drwxr-sr-x\s+0\/0 .* d\/$/m, 'setgid dir');
  t.match(stdout, /^-{10}\s+1\/2\s+5 .* d\/file$/m, 'mode 0 and owner');
  t.match(stdout, /^-rw-r--r--\*\s+0\/0 .* d\/x$/m, 'GNU tar sees the xattr');
  t.match(stdout, /^crw-------\s+0\/0\s+1,3 .* d\/ünï$/m, 'device, non-ASCII name through PAX');
  t.match(stdout, new RegExp(`d/${'long'.repeat(40)} -> file`));
  t.equal(encodeHeader(ENTRIES[1] as TarEntry).length, 512, 'a plain entry is one ustar block');
});

t.test('a GNU tar layer with a binary security.capability applies intact', { skip: (!has('tar') && 'no tar(1)') || (!fx.ops.privileged && 'needs root') || (!fx.ops.xattrs && 'no xattrs') }, async (t) => {
  const dir = await tmpdir(t);
  const src = path.join(dir, 'src');
  const dst = path.join(dir, 'dst');
  await fsp.mkdir(src);
  await fsp.mkdir(dst);
  await fsp.writeFile(path.join(src, 'ping'), 'x', { mode: 0o755 });
  const cap = Buffer.from([1, 0, 0, 2, 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  await fx.ops.lsetxattr(path.join(src, 'ping'), 'security.capability', cap);
  const { stdout } = await run('tar', ['--xattrs', '--xattrs-include=*', '-C', src, '-cf', '-', 'ping'], { encoding: 'buffer', maxBuffer: 1 << 20 });
  await applyLayer(dst, Readable.from([stdout]), { whiteouts: 'delete', fileOps: fx.ops });
  t.same((await fx.ops.lgetxattrs(path.join(dst, 'ping'))).get('security.capability'), cap);
});

t.test('compression is detected by magic bytes', async (t) => {
  t.equal(detectCompression(Buffer.from([0x1f, 0x8b, 8])), 'gzip');
  t.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
  t.equal(detectCompression(Buffer.from('ustar')), 'none');
  t.equal(detectCompression(Buffer.alloc(0)), 'none');
  t.equal(kindOf(t.throws(() => detectCompression(Buffer.from('BZh91AY')))), 'NotImplemented', 'bzip2 is refused');
});

t.test('zstd from the zstd tool and concatenated frames', async (t) => {
  const raw = await buildTar([{ name: 'f', content: 'z'.repeat(300_000) }]);
  const twoFrames = Buffer.concat([zstdFrame(raw.subarray(0, 1000)), zstdFrame(raw.subarray(1000))]);
  t.same(await bytesOf(await decompressed(Readable.from([twoFrames]))), raw, 'two frames, one stream');
  if (!has('zstd')) return void t.comment('no zstd(1): real compressed frames not checked');
  const dir = await tmpdir(t);
  await fsp.writeFile(path.join(dir, 'l.tar'), raw);
  await run('zstd', ['-q', '-19', path.join(dir, 'l.tar'), '-o', path.join(dir, 'l.tar.zst')]);
  const packed = await fsp.readFile(path.join(dir, 'l.tar.zst'));
  t.ok(packed.length < raw.length / 10, 'really compressed');
  const chunks = [];
  for (let i = 0; i < packed.length; i += 7) chunks.push(packed.subarray(i, i + 7));
  t.same(await bytesOf(await decompressed(Readable.from(chunks))), raw, 'decoded in 7-byte chunks');
});
