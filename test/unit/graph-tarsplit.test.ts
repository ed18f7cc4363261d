/**
 * tar-split records: a layer applied while its records are written assembles back to the very same
 * bytes (ustar, PAX, GNU long names, odd chunking, zero padding after the end-of-archive), and an assembly
 * that cannot give the layer back (a duplicated path, a changed file) errors instead of ending.
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { applyLayer } from '../../drivers/graph/apply.js';
import { defaultFileOps } from '../../drivers/graph/native.js';
import { digestTap } from '../../drivers/graph/apply-hashed.js';
import { assemble } from '../../actors/services/graph/layer-tar.js';
import { TarSplitStore } from '../../actors/services/graph/tar-split-store.js';
import { buildTar } from '../helpers/tar.js';

const digest = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Applies `tar` (fed in chunks of `chunk` bytes) while recording, then assembles it back. */
async function roundTrip(t: Test, tar: Buffer, chunk = 777): Promise<{ out: Buffer; root: string; store: TarSplitStore }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-test-tarsplit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'layer');
  mkdirSync(root);
  const store = new TarSplitStore(path.join(dir, 'splits'));
  const w = await store.writer('layer1');
  const chunks: Buffer[] = [];
  for (let i = 0; i < tar.length; i += chunk) chunks.push(tar.subarray(i, i + chunk));
  const input = Readable.from(chunks, { objectMode: false }).pipe(digestTap(w.feed));
  await applyLayer(root, input, { whiteouts: 'delete', fileOps: defaultFileOps() });
  await w.commit();
  t.equal(await store.size('layer1'), tar.length, 'the records know the tar size');
  const parts: Buffer[] = [];
  for await (const c of assemble(store.records('layer1'), root, digest(tar), 'test layer')) parts.push(c);
  return { out: Buffer.concat(parts), root, store };
}

t.test('ustar and PAX entries, long names and links, whiteouts', async (t) => {
  const long = `${'d'.repeat(120)}/${'f'.repeat(130)}.txt`;
  const tar = await buildTar([
    { name: 'etc', type: 'directory' },
    { name: 'etc/hostname', content: 'box\n' },
    { name: long.split('/')[0]!, type: 'directory' },
    { name: long, content: Buffer.alloc(70_000, 7) },
    { name: 'bin', type: 'directory' },
    { name: 'bin/tool', content: 'x'.repeat(513) },
    { name: 'bin/link', type: 'symlink', linkname: `${'../'.repeat(40)}bin/tool` },
    { name: 'bin/naïve-ünïcode', content: 'pax path\n' },
    { name: 'bin/hard', type: 'link', linkname: 'bin/tool' },
    { name: 'etc/.wh.motd' },
    { name: 'empty', content: '' },
  ]);
  for (const chunk of [1, 512, 777, 1 << 20]) {
    const { out } = await roundTrip(t, tar, chunk);
    t.ok(out.equals(tar), `byte for byte, fed ${chunk} bytes at a time`);
  }
});

t.test('big files, written in batches, read back whole', async (t) => {
  const big = randomBytes(3 * 1024 * 1024 + 7);
  const tar = await buildTar([{ name: 'big.bin', content: big }, { name: 'after', content: 'after\n' }]);
  const { out, root } = await roundTrip(t, tar, 4096);
  t.ok(out.equals(tar), 'byte for byte');
  t.ok(readFileSync(path.join(root, 'big.bin')).equals(big), 'the file on disk is the content');
});

t.test('GNU long names, and the record padding after the end-of-archive', async (t) => {
  const src = mkdtempSync(path.join(os.tmpdir(), 'berth-test-gnutar-'));
  t.teardown(() => rmSync(src, { recursive: true, force: true }));
  const deep = path.join(src, 'a'.repeat(90), 'b'.repeat(90));
  mkdirSync(deep, { recursive: true });
  writeFileSync(path.join(deep, `${'c'.repeat(90)}.bin`), Buffer.alloc(5000, 3));
  const tar = execFileSync('tar', ['--format=gnu', '-C', src, '-cf', '-', '.']);
  t.equal(tar.length % 10240, 0, 'GNU tar pads to whole records, past the two zero blocks');
  const { out } = await roundTrip(t, tar);
  t.ok(out.equals(tar), 'byte for byte');
});

t.test('an assembly that cannot give the layer back errors', async (t) => {
  const dup = await buildTar([{ name: 'f', content: 'first' }, { name: 'f', content: 'second!' }]);
  await t.rejects(roundTrip(t, dup), /no longer the 5-byte file|assembled tar has digest/, 'a path written twice in one layer');
  const tar = await buildTar([{ name: 'g', content: 'content' }]);
  const ok = await roundTrip(t, tar);
  writeFileSync(path.join(ok.root, 'g'), 'CONTENT');
  const again = async () => {
    for await (const _ of assemble(ok.store.records('layer1'), ok.root, digest(tar), 'test layer'));
  };
  await t.rejects(again(), /assembled tar has digest/, 'a file changed in the tree');
});
