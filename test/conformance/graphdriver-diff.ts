/**
 * diff() and live writes: the diff of each layer, applied on a fresh backend, must rebuild the same
 * trees (contents, modes, owners, times, xattrs, hardlinks) and the same changes; and what a container
 * writes through get() must show up in changes() and diff().
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';

import { type Change, ChangeKind } from '../../drivers/graph/backend.js';
import type { TestFileOps } from '../helpers/tar-fileops.js';
import { type DriverUnderTest, type Harness, chain, harness, pictureOf, within } from './graphdriver-harness.js';

const { Modified: M, Added: A, Deleted: D } = ChangeKind;

/** What the container writes on top of l3, and the changes that makes. */
async function containerWrites(rootfs: string): Promise<void> {
  await fsp.writeFile(path.join(rootfs, 'etc/hostname'), 'box\n');
  await fsp.appendFile(path.join(rootfs, 'etc/passwd'), 'guest:x:2000:2000\n');
  await fsp.unlink(path.join(rootfs, 'etc/alias'));
  await fsp.rm(path.join(rootfs, 'opt/app'), { recursive: true });
  await fsp.mkdir(path.join(rootfs, 'newdir'));
  await fsp.writeFile(path.join(rootfs, 'newdir/x'), 'x');
}

const CONTAINER_CHANGES: Change[] = [
  { Path: '/etc', Kind: M }, { Path: '/etc/alias', Kind: D }, { Path: '/etc/hostname', Kind: A }, { Path: '/etc/passwd', Kind: M },
  { Path: '/newdir', Kind: A }, { Path: '/newdir/x', Kind: A }, { Path: '/opt', Kind: M }, { Path: '/opt/app', Kind: D },
];

const PARENTS: [string, string | null][] = [['l1', null], ['l2', 'l1'], ['l3', 'l2'], ['c', 'l3']];

async function replay(from: Harness, to: Harness, ids: [string, string | null][]): Promise<void> {
  for (const [id, parent] of ids) {
    await to.backend.create(id, parent);
    await to.backend.applyDiff(id, parent, await from.backend.diff(id, parent));
  }
}

/** Nanosecond times of the paths whose pictures differ, on both sides: what a failure needs to be understood. */
async function explainTimes(a: Harness, b: Harness, id: string, pa: Record<string, string>, pb: Record<string, string>): Promise<string> {
  const keys = Object.keys(pa).filter((k) => pa[k] !== pb[k]);
  const times = (h: Harness, k: string) => within(h, id, async (r) => {
    const st = await fsp.lstat(path.join(r, k), { bigint: true }).catch(() => null);
    return st ? `mtime ${st.mtimeNs} ctime ${st.ctimeNs}` : 'missing';
  });
  const lines = [];
  for (const k of keys) lines.push(`${k}: source ${await times(a, k)}; replayed ${await times(b, k)}`);
  return lines.join('\n');
}

async function roundTrip(t: Test, d: DriverUnderTest, fx: TestFileOps): Promise<void> {
  const a = await harness(t, d, fx);
  await chain(a);
  await a.backend.create('c', 'l3');
  if (d.live) await within(a, 'c', containerWrites);
  const b = await harness(t, d, fx);
  await replay(a, b, PARENTS);
  for (const [id, parent] of PARENTS) {
    const [pb, pa] = [await pictureOf(b, id), await pictureOf(a, id)];
    if (!t.same(pb, pa, `${d.name} ${id}: the same tree from its diff`)) t.comment(await explainTimes(a, b, id, pa, pb));
    t.same(await b.backend.changes(id, parent), await a.backend.changes(id, parent), `${d.name} ${id}: the same changes`);
  }
}

async function liveChanges(t: Test, d: DriverUnderTest, fx: TestFileOps): Promise<void> {
  const h = await harness(t, d, fx);
  await chain(h);
  await h.backend.create('c', 'l3');
  await within(h, 'c', containerWrites);
  t.same(await h.backend.changes('c', 'l3'), CONTAINER_CHANGES, 'changes of a container layer');
  await within(h, 'c', async (r) => t.equal(await fsp.readFile(path.join(r, 'etc/hostname'), 'utf8'), 'box\n', 'writes persist across get/put'));
}

async function diffIsATar(t: Test, d: DriverUnderTest, fx: TestFileOps): Promise<void> {
  const h = await harness(t, d, fx);
  await chain(h);
  const chunks: Buffer[] = [];
  for await (const chunk of await h.backend.diff('l2', 'l1')) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('latin1');
  for (const name of ['etc/.wh.group', 'var/.wh.log', 'etc/new', 'opt/app/c']) t.ok(text.includes(name), `diff(l2) has ${name}`);
  t.equal(Buffer.concat(chunks).length % 512, 0, 'whole tar blocks');
}

/** The diff and live-write cases for one backend. */
export function diffCases(t: Test, d: DriverUnderTest, fx: TestFileOps): void {
  t.test('diff() round-trips every layer of the chain', (t) => roundTrip(t, d, fx));
  t.test('diff() is a tar with whiteouts', (t) => diffIsATar(t, d, fx));
  const skip = d.live ? false : 'the copying mount fake does not write through';
  t.test('writes through get() are the layer\'s changes', { skip }, (t) => liveChanges(t, d, fx));
}
