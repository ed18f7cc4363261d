import t from 'tap';
import path from 'node:path';
import { BlobStore, chainIds, sha256 } from '../../actors/services/graph/blobs.js';
import { GraphDB, type ImageRecord, type LayerRecord } from '../../actors/services/graph/graphdb.js';
import { tempLevel } from '../helpers/level.js';

async function fresh(t: { teardown(fn: () => Promise<void>): void }) {
  const { db, dir } = await tempLevel(t, 'graphdb');
  return { g: new GraphDB(db), dir };
}

const layer = (diffId: string, chainId: string, parent: string | null): LayerRecord => ({ chainId, diffId, parent, cacheId: chainId.slice(7, 19), size: 10, refs: 0 });

t.test('chain IDs follow the OCI definition', async (t) => {
  const [a, b] = [sha256('a'), sha256('b')];
  t.same(chainIds([a, b]), [a, sha256(`${a} ${b}`)]);
  t.same(chainIds([]), []);
});

t.test('two images share a base layer; deleting frees only what nobody holds', async (t) => {
  const { g } = await fresh(t);
  const [d1, d2, d3] = [sha256('1'), sha256('2'), sha256('3')];
  const [c1, c2] = chainIds([d1, d2]);
  const c3 = chainIds([d1, d3])[1]!;
  const img1: ImageRecord = { id: sha256('img1'), parent: '', chain: [c1!, c2!], size: 20, created: '', repoDigests: [] };
  const img2: ImageRecord = { id: sha256('img2'), parent: '', chain: [c1!, c3], size: 20, created: '', repoDigests: [] };
  await g.registerImage(img1, [layer(d1, c1!, null), layer(d2, c2!, c1!)], ['docker.io/library/a:latest']);
  await g.registerImage(img2, [layer(d3, c3, c1!)], ['docker.io/library/b:latest']);
  t.equal((await g.layer(c1!))?.refs, 2, 'the base is held twice');
  t.equal(await g.resolve('docker.io/library/a:latest'), img1.id);
  await g.registerImage(img1, [], ['docker.io/library/a:v1']);
  t.equal((await g.layer(c1!))?.refs, 2, 're-registering an image adds no layer references');
  t.same(await g.refsOf(img1.id), ['docker.io/library/a:latest', 'docker.io/library/a:v1']);
  await t.rejects(g.deleteImage(img1.id), { name: 'ConflictError' }, 'an image with tags is not deleted');
  await g.untag('docker.io/library/a:latest');
  await g.untag('docker.io/library/a:v1');
  const freed = await g.deleteImage(img1.id);
  t.same(freed.map((l) => l.chainId), [c2], 'only the top layer was freed');
  t.equal((await g.layer(c1!))?.refs, 1);
  t.same(await g.imagesByPrefix(img2.id.slice(7, 12)), [img2.id]);
  t.equal((await g.allImages()).length, 1);
});

t.test('a tag moves between images; parents and children are recorded', async (t) => {
  const { g } = await fresh(t);
  const d = sha256('x');
  const base: ImageRecord = { id: sha256('base'), parent: '', chain: [d], size: 1, created: '', repoDigests: [] };
  const child: ImageRecord = { id: sha256('child'), parent: base.id, chain: [d], size: 1, created: '', repoDigests: [] };
  await g.registerImage(base, [layer(d, d, null)], ['r:latest']);
  await g.registerImage(child, [], []);
  t.same(await g.childrenOf(base.id), [child.id]);
  await g.tag('r:latest', child.id);
  t.same(await g.refsOf(base.id), [], 'the tag left the old image');
  t.same(await g.refsOf(child.id), ['r:latest']);
  await t.rejects(g.tag('r:x', sha256('nope')), { name: 'NotFoundError' });
  await t.rejects(g.untag('r:nope'), { name: 'NotFoundError', message: 'No such image: r:nope' });
  await t.rejects(g.registerImage({ ...child, id: sha256('orphan'), chain: [sha256('missing')] }, [], []), { name: 'NotFoundError', message: /is not in the store/ });
});

t.test('blob store: verified, atomic, nothing kept on a wrong digest', async (t) => {
  const { dir } = await fresh(t);
  const blobs = new BlobStore(path.join(dir, 'blobs'));
  const data = Buffer.from('{"a":1}');
  await blobs.put(sha256(data), data);
  t.same(await blobs.read(sha256(data)), data);
  await t.rejects(blobs.put(sha256('other'), data), { name: 'InvalidParameterError', message: /content has digest/ });
  t.notOk(await blobs.has(sha256('other')));
  const { Readable } = await import('node:stream');
  await t.rejects(blobs.putStream(sha256('other'), Readable.from([data])), { name: 'InvalidParameterError' });
  const { readdirSync } = await import('node:fs');
  t.same(readdirSync(path.join(dir, 'blobs', 'sha256')).filter((f) => f.includes('.tmp-')), [], 'no temporary file left');
  await blobs.putStream(sha256('streamed'), Readable.from([Buffer.from('streamed')]));
  t.ok(await blobs.has(sha256('streamed')));
  t.throws(() => blobs.path('sha256:../../etc'), { name: 'InvalidParameterError' });
});
