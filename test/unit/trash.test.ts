import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';

import { Trash } from '../../drivers/trash.js';

async function dataRoot(t: Test): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-trash-'));
  t.teardown(() => fsp.rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a discarded tree is gone from its place at once and from the trash once drained', async (t) => {
  const root = await dataRoot(t);
  const tree = path.join(root, 'containers', 'abc');
  await fsp.mkdir(path.join(tree, 'sub'), { recursive: true });
  await fsp.writeFile(path.join(tree, 'sub', 'f'), 'x');
  const trash = Trash.at(root);
  await trash.discard(tree);
  t.notOk(existsSync(tree), 'the name is free as soon as discard returns');
  await trash.drain();
  t.same(await fsp.readdir(path.join(root, 'trash')), [], 'deleted in the background');
  await trash.discard(path.join(root, 'containers', 'missing'));
  t.pass('a missing tree is fine');
});

t.test('what a crash left in the trash goes at the next sweep', async (t) => {
  const root = await dataRoot(t);
  await fsp.mkdir(path.join(root, 'trash', 'left-1234', 'deep'), { recursive: true });
  const trash = Trash.at(root);
  await trash.sweep();
  await Trash.at(root).drain(); // another handle on the same trash sees the same deletions
  t.same(await fsp.readdir(path.join(root, 'trash')), []);
});

t.test('a tree on another filesystem than the trash is deleted in place', { skip: existsSync('/dev/shm') ? false : 'no /dev/shm' }, async (t) => {
  const root = await dataRoot(t);
  const other = await fsp.mkdtemp('/dev/shm/berth-trash-');
  t.teardown(() => fsp.rm(other, { recursive: true, force: true }));
  await fsp.writeFile(path.join(other, 'f'), 'x');
  const sameFs = (await fsp.stat(other)).dev === (await fsp.stat(root)).dev;
  await Trash.at(root).discard(other);
  t.notOk(existsSync(other), sameFs ? 'renamed away' : 'deleted across filesystems (EXDEV)');
});
