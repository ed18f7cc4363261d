/**
 * The apply workers against the in-process applier: the same layers give the same size, diffID,
 * tar-split records and input digest, and the same failures give the same error kind and message
 * (hostile entries, unsupported compression, a source that fails half-way); a closed pool fails
 * its layers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import t, { type Test } from 'tap';

import { ApplyPool } from '../../drivers/graph/apply-pool.js';
import { type LayerApplier, inProcessApplier } from '../../drivers/graph/applier.js';
import { defaultFileOps } from '../../drivers/graph/native.js';
import { kindOf, unavailable } from '../../protocol/errdefs.js';
import { type TarSpec, buildTar } from '../helpers/tar.js';

const pool = new ApplyPool();
t.teardown(() => pool.close());
const local = inProcessApplier(defaultFileOps());

/** Chunks of `bytes`, then optionally an error instead of the end. */
function source(bytes: Buffer, chunk = 64 * 1024, failAt?: number): Readable {
  let off = 0;
  return new Readable({
    read() {
      if (failAt !== undefined && off >= failAt) return void this.destroy(unavailable('connection closed after some bytes'));
      if (off >= bytes.length) return void this.push(null);
      this.push(bytes.subarray(off, off + chunk));
      off += chunk;
    },
  });
}

type Outcome = { ok: { size: number; diffId: string; records: string; input: string } } | { err: { kind: string; message: string } };

async function run(t: Test, a: LayerApplier, input: Readable): Promise<Outcome> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'berth-test-worker-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const records: Buffer[] = [];
  let input256 = '';
  const inputDigest = { algorithm: 'sha256', check: (d: string) => void (input256 = d) };
  try {
    const r = await a.apply(root, input, { whiteouts: 'delete', onRecords: (b) => records.push(Buffer.from(b)), inputDigest });
    return { ok: { size: r.size, diffId: r.diffId, records: Buffer.concat(records).toString('hex'), input: input256 } };
  } catch (err) {
    return { err: { kind: kindOf(err), message: (err as Error).message } };
  }
}

async function same(t: Test, what: string, bytes: () => Readable): Promise<Outcome> {
  const here = await run(t, local, bytes());
  const there = await run(t, pool, bytes());
  t.same(there, here, what);
  return there;
}

const files: TarSpec[] = [
  { name: 'etc', type: 'directory' },
  { name: 'etc/hostname', content: 'box\n' },
  { name: 'big', content: randomBytes(3 * 1024 * 1024 + 17) },
  { name: 'link', type: 'symlink', linkname: 'etc/hostname' },
];

t.test('same results: plain, gzip, a stream shorter than the magic', async (t) => {
  const tar = await buildTar(files);
  const ok = await same(t, 'plain tar', () => source(tar));
  t.ok('ok' in ok, 'applied');
  await same(t, 'gzip, fed in 1000-byte chunks', () => source(gzipSync(tar), 1000));
  await same(t, 'gzip with bytes after the archive', () => source(gzipSync(Buffer.concat([tar, Buffer.alloc(3000)]))));
  await same(t, 'three bytes', () => source(Buffer.from([1, 2, 3])));
});

t.test('same errors: hostile entries, bzip2, corrupt gzip, a source failing half-way', async (t) => {
  const escape = await buildTar([{ name: '../escape', content: 'x' }]);
  t.match(await same(t, 'an entry outside the layer', () => source(gzipSync(escape))), { err: { kind: 'InvalidParameter' } });
  const tar = await buildTar([{ name: 'ln', type: 'symlink', linkname: '/etc' }, { name: 'ln/passwd', content: 'x' }]);
  t.match(await same(t, 'a write through a symlink', () => source(tar)), { err: { kind: 'InvalidParameter' } });
  t.match(await same(t, 'bzip2', () => source(Buffer.from('BZh91AY&SY'))), { err: { kind: 'NotImplemented' } });
  const gz = gzipSync(await buildTar(files));
  t.match(await same(t, 'source fails half-way', () => source(gz, 64 * 1024, 1024 * 1024)), { err: { kind: 'Unavailable', message: 'connection closed after some bytes' } });
  gz[gz.length - 6] ^= 0xff; // the CRC
  // The CRC fails after the tar's end, where the trailing bytes are read for the diffID: not a BerthError.
  t.match(await same(t, 'corrupt gzip', () => source(gz)), { err: { kind: 'System' } });
});

t.test('the input check wins over a failed apply once the input ended', async (t) => {
  const gz = gzipSync(await buildTar(files));
  gz[gz.length - 6] ^= 0xff;
  const inputDigest = {
    algorithm: 'sha256',
    check: () => {
      throw unavailable('not the blob');
    },
  };
  for (const a of [local, pool]) {
    const root = mkdtempSync(path.join(os.tmpdir(), 'berth-test-worker-'));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    await t.rejects(a.apply(root, source(gz), { whiteouts: 'delete', inputDigest }), { message: 'not the blob' });
  }
});

t.test('a closed pool fails the layers it was applying', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'berth-test-worker-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const other = new ApplyPool(1);
  const slow = new Readable({ read() {} });
  slow.push(gzipSync(await buildTar(files)).subarray(0, 1 << 20));
  const pending = other.apply(root, slow, { whiteouts: 'delete' }).then(() => null, (e: unknown) => e as Error);
  await new Promise((r) => setTimeout(r, 200));
  await other.close();
  const err = await pending;
  t.equal(kindOf(err), 'Unavailable');
  t.equal(err?.message, 'apply layer: the graph driver is shutting down');
  t.ok(slow.destroyed, 'the source is let go');
});
