/**
 * POST /images/load (docker load): the archives older dockerd wrote (`<id>/layer.tar`, duplicate
 * layers as symlinks), bare OCI layouts with gzip layers, compressed archives, "Loading layer"
 * progress, the tag-moved message; and archives that must leave nothing behind: cut short, a layer
 * that is not what its config says, entries or layer contents pointing outside.
 */
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { busyboxImage, buildImage, layerOf, makeTar, multiLayerImage, type TarEntry, type TestImage } from '../helpers/images.js';

type Line = { stream?: string; error?: string; status?: string; id?: string; progressDetail?: { current?: number; total?: number } };
const lines = (body: string) => body.trim().split(/\r?\n/).filter(Boolean).map((l) => JSON.parse(l) as Line);
const load = async (d: TestDaemon, body: Buffer, quiet = true) =>
  lines((await d.request('POST', `/images/load${quiet ? '?quiet=1' : ''}`, { body, headers: { 'Content-Type': 'application/x-tar' } })).body);
const hex = (digest: string) => digest.replace(/^sha256:/, '');

/** The archive dockerd before 25 wrote: one directory per layer, a repeated layer as a symlink to the first. */
async function legacyArchive(img: TestImage, tags: string[]): Promise<Buffer> {
  const entries: TarEntry[] = [];
  const layers: string[] = [];
  img.layers.forEach((l, i) => {
    const id = hex(l.diffId);
    if (layers.includes(`${id}/layer.tar`)) {
      entries.push({ name: `dup${i}`, type: 'directory' }, { name: `dup${i}/layer.tar`, type: 'symlink', linkname: `../${id}/layer.tar` });
      layers.push(`dup${i}/layer.tar`);
      return;
    }
    entries.push({ name: id, type: 'directory' }, { name: `${id}/VERSION`, content: '1.0' }, { name: `${id}/layer.tar`, content: l.tar });
    layers.push(`${id}/layer.tar`);
  });
  entries.push({ name: `${hex(img.config.digest)}.json`, content: img.config.bytes });
  entries.push({ name: 'manifest.json', content: JSON.stringify([{ Config: `${hex(img.config.digest)}.json`, RepoTags: tags, Layers: layers }]) });
  return makeTar(entries);
}

/** A bare OCI layout (no manifest.json) with gzip layers, tagged by annotation. */
function ociLayout(img: TestImage, name: string): Promise<Buffer> {
  const blobs = [img.config, img.manifest, ...img.layers].map((b): TarEntry => ({ name: `blobs/sha256/${hex(b.digest)}`, content: b.bytes }));
  const index = { schemaVersion: 2, manifests: [{ mediaType: img.manifest.mediaType, digest: img.manifest.digest, size: img.manifest.size, annotations: { 'io.containerd.image.name': name } }] };
  return makeTar([{ name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' }, { name: 'index.json', content: JSON.stringify(index) }, ...blobs]);
}

/** Nothing of a failed load is left: no image, no layer tree, no tar-split record, no staging. */
function leftovers(d: TestDaemon): string[] {
  const dirs = ['vfs', 'image/tar-split', 'image/tmp'].map((p) => path.join(d.config.dataRoot, p));
  return dirs.flatMap((dir) => (existsSync(dir) ? readdirSync(dir).map((n) => `${path.basename(dir)}/${n}`) : []));
}

t.test('the archives dockerd and OCI tools write', async (t) => {
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  const multi = await multiLayerImage();
  t.same(await load(d, await legacyArchive(multi, ['legacy:1'])), [{ stream: 'Loaded image: legacy:1\n' }]);
  t.equal((await d.request('GET', '/images/legacy:1/json')).json<{ Id: string }>().Id, multi.config.digest, 'the image ID is the config digest');

  const base = await busyboxImage();
  const twice = buildImage({ layers: [base.layers[0]!, base.layers[0]!] });
  t.same(await load(d, await legacyArchive(twice, ['linked:1'])), [{ stream: 'Loaded image: linked:1\n' }], 'a repeated layer through a symlink');

  const oci = await busyboxImage({ format: 'oci', extra: [{ name: 'etc/oci', content: 'yes\n' }] });
  t.same(await load(d, await ociLayout(oci, 'docker.io/library/oci-only:2')), [{ stream: 'Loaded image: oci-only:2\n' }]);

  const fresh = await busyboxImage({ extra: [{ name: 'etc/zipped', content: 'z\n' }] });
  const zipped = await load(d, gzipSync(await legacyArchive(fresh, ['zipped:1'])), false);
  t.same(zipped.at(-1), { stream: 'Loaded image: zipped:1\n' }, 'a gzip-compressed archive');
  t.ok(zipped.some((m) => m.status === 'Loading layer' && m.progressDetail?.total), 'progress unless quiet');

  const other = buildImage({ layers: [await layerOf([{ name: 'other', content: 'x' }])] });
  t.same(await load(d, await legacyArchive(other, ['zipped:1'])), [
    { stream: `The image zipped:1 already exists, renaming the old one with ID ${fresh.config.digest} to empty string\n` },
    { stream: 'Loaded image: zipped:1\n' },
  ]);
});

t.test('archives that must leave nothing behind', async (t) => {
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  const multi = await multiLayerImage();
  const good = await legacyArchive(multi, ['multi:1']);

  const cut = await load(d, good.subarray(0, Math.floor(good.length / 2)));
  t.match(cut.at(-1), { error: /load: the archive is not a valid tar/ }, 'cut short');
  const wrong = buildImage({ layers: [{ ...multi.layers[0]!, diffId: `sha256:${'1'.repeat(64)}` }] });
  t.match((await load(d, await legacyArchive(wrong, ['wrong:1']))).at(-1), { error: /content has diffID/ }, 'a layer that is not what the config says');
  const outside = await makeTar([{ name: '../../escape.json', content: '{}' }]);
  t.match((await load(d, outside)).at(-1), { error: 'load: archive entry "../../escape.json" points outside the archive' });
  t.notOk(existsSync(path.join(d.config.dataRoot, '..', 'escape.json')));
  const hostile = buildImage({ layers: [await layerOf([{ name: '../../../../tmp/berth-escape', content: 'x' }])] });
  t.match((await load(d, await legacyArchive(hostile, ['hostile:1']))).at(-1), { error: /climbs out/ }, 'a layer writing outside');
  const mixed = await legacyArchive(multi, ['multi:2']);
  t.match((await load(d, Buffer.concat([mixed.subarray(0, mixed.length - 1024), Buffer.from('not a tar')]))).at(-1), { error: /./ });
  t.match((await load(d, await makeTar([{ name: 'hello', content: 'x' }]))).at(-1), { error: /neither manifest.json nor index.json/ });
  t.match((await load(d, await makeTar([{ name: 'manifest.json', content: '[{"Config":7}]' }]))).at(-1), { error: /manifest.json is not a list of images/ });

  t.same((await d.request('GET', '/images/json')).json(), [], 'no image');
  t.same(leftovers(d), [], 'no layer tree, tar-split record or staged file');
  t.notOk(existsSync('/tmp/berth-escape'));
  t.same(await load(d, good), [{ stream: 'Loaded image: multi:1\n' }], 'and the good archive loads after all that');
});
