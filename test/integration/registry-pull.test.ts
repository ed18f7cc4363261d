/**
 * The registry client against the real registry (Debian's docker-registry on 127.0.0.1), loaded with
 * images built from busybox at test time: resolve by tag and digest, indexes per platform, verified
 * blobs, catalog and search, and the errors of a missing manifest or an unreachable registry.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { RegistryClient } from '../../actors/services/registry/client.js';
import { parseNormalizedNamed } from '../../protocol/reference.js';
import { MediaType } from '../../protocol/types/image.js';
import { busyboxImage, multiLayerImage, platformIndex, pushImage, type TestImage } from '../helpers/images.js';
import { freePort, registryProbe, startRegistry } from '../helpers/registry.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function readAll(s: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

t.test('pull side against docker-registry', { skip: registryProbe() }, async (t) => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const client = new RegistryClient();
  t.teardown(() => client.close());
  const busybox = await busyboxImage();
  const multi = await multiLayerImage({ format: 'oci' });
  const ociIndex = await platformIndex({ format: 'oci' });
  const dockerList = await platformIndex({ format: 'docker' });
  await pushImage(reg, 'busybox', 'latest', busybox);
  await pushImage(reg, 'multi', 'oci', multi);
  await pushImage(reg, 'multi', 'index', ociIndex);
  await pushImage(reg, 'multi', 'list', dockerList);
  const ref = (s: string) => parseNormalizedNamed(`${reg.host}/${s}`);

  t.test('resolve by tag: the manifest, its config and verified layers', async (t) => {
    const r = await client.resolve(ref('busybox'));
    t.equal(r.digest, busybox.manifest.digest);
    t.equal(r.manifest.mediaType, MediaType.DockerManifest);
    t.ok(r.manifest.bytes.equals(busybox.manifest.bytes), 'exact bytes');
    t.equal(r.index, undefined);
    const { config, bytes } = await r.repository.config(r.manifest.document.config);
    t.equal(sha256(bytes), busybox.config.digest, 'config bytes are the blob (image ID = their digest)');
    t.same(config.config?.Cmd, ['sh']);
    t.same(config.rootfs.diff_ids, [busybox.layers[0]!.diffId]);
    const layer = await readAll(r.repository.blob(r.manifest.document.layers[0]!));
    t.equal(sha256(layer), busybox.layers[0]!.digest);
    t.equal(sha256(gunzipSync(layer)), busybox.layers[0]!.diffId, 'uncompressed = diff_id');
  });

  t.test('resolve by digest, and name:tag@digest pins the digest', async (t) => {
    for (const s of [`busybox@${busybox.manifest.digest}`, `busybox:whatever@${busybox.manifest.digest}`]) {
      const r = await client.resolve(ref(s));
      t.equal(r.manifest.digest, busybox.manifest.digest, s);
    }
    const head = await client.repository(ref('busybox')).headManifest();
    t.equal(head?.digest, busybox.manifest.digest, 'HEAD gives the digest');
    t.equal(await client.repository(ref('busybox:nope')).headManifest(), undefined, 'HEAD of a missing tag');
  });

  t.test('a three-layer OCI image with whiteouts', async (t) => {
    const r = await client.resolve(ref('multi:oci'));
    t.equal(r.manifest.mediaType, MediaType.OciManifest);
    t.equal(r.manifest.document.layers.length, 3);
    const { config } = await r.repository.config(r.manifest.document.config);
    t.same(config.rootfs.diff_ids, multi.layers.map((l) => l.diffId));
    t.equal(config.config?.WorkingDir, '/opt/app');
    const top = await readAll(r.repository.blob(r.manifest.document.layers[2]!));
    const tarText = gunzipSync(top).toString('latin1');
    t.match(tarText, /etc\/\.wh\.motd/, 'whiteout entry present');
    t.match(tarText, /opt\/app\/\.wh\.\.wh\.\.opq/, 'opaque marker present');
  });

  for (const [tag, built] of [['index', ociIndex], ['list', dockerList]] as const) {
    t.test(`${tag}: each platform gets its own manifest`, async (t) => {
      for (const [i, img] of built.images.entries()) {
        const r = await client.resolve(ref(`multi:${tag}`), { platform: img.platform });
        t.equal(r.digest, built.index.digest, 'the reported digest is the index’s');
        t.equal(r.index?.mediaType, tag === 'index' ? MediaType.OciIndex : MediaType.DockerManifestList);
        t.equal(r.manifest.digest, built.images[i]!.manifest.digest, `manifest for ${img.platform.architecture}`);
        t.same(r.platform, img.platform);
        const marker = await readAll(r.repository.blob(r.manifest.document.layers[1]!));
        t.match(gunzipSync(marker).toString('latin1'), img.platform.architecture, 'marker file names the platform');
      }
      const host = await client.resolve(ref(`multi:${tag}`));
      t.equal(host.platform?.architecture, process.arch === 'arm64' ? 'arm64' : 'amd64', 'default: this host');
      await t.rejects(client.resolve(ref(`multi:${tag}`), { platform: { os: 'linux', architecture: 's390x' } }), {
        kind: 'NotFound',
        message: 'no matching manifest for linux/s390x in the manifest list entries',
      });
    });
  }

  t.test('missing manifest and unreachable registry', async (t) => {
    await t.rejects(client.resolve(ref('busybox:nope')), { kind: 'NotFound', message: `manifest for ${reg.host}/busybox:nope not found: manifest unknown: manifest unknown` });
    await t.rejects(client.resolve(ref('nosuchrepo')), { kind: 'NotFound', message: /^manifest for .*nosuchrepo:latest not found/ });
    const port = await freePort();
    await t.rejects(client.resolve(parseNormalizedNamed(`127.0.0.1:${port}/busybox`)), { kind: 'Unavailable', message: new RegExp(`registry 127.0.0.1:${port} is unavailable: .*ECONNREFUSED`) });
  });

  t.test('catalog and search', async (t) => {
    t.same(await client.catalog(reg.host), ['busybox', 'multi']);
    const hits = await client.search(reg.host, 'mul');
    t.same(hits, [{ name: `${reg.host}/multi`, description: '', star_count: 0, is_official: false, is_automated: false }]);
    t.same(await client.search(reg.host, 'zzz'), []);
  });

  t.test('a blob the registry does not have', async (t) => {
    const img: TestImage = await busyboxImage({ extra: [{ name: 'etc/unique', content: 'never pushed' }] });
    const repo = client.repository(ref('busybox'));
    await t.rejects(readAll(repo.blob(img.layers[0]!)), { kind: 'NotFound', message: /blob sha256:[0-9a-f]+ not found/ });
  });
});
