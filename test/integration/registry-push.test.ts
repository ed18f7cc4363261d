/**
 * The push side and authentication against the real registry: skip / mount / monolithic / chunked
 * uploads, manifests, a blob whose digest is wrong; Basic (htpasswd) and Bearer (token server)
 * registries refusing anonymous callers and wrong passwords, accepting the right credentials.
 */
import t from 'tap';
import { Readable } from 'node:stream';
import { RegistryClient } from '../../actors/services/registry/client.js';
import { parseNormalizedNamed } from '../../protocol/reference.js';
import type { AuthConfig } from '../../protocol/types/image.js';
import { busyboxImage, descriptor, multiLayerImage, pushImage, randomImage, type TestImage } from '../helpers/images.js';
import { registryProbe, startRegistry, type RegistryServer } from '../helpers/registry.js';
import { probes } from '../helpers/probes.js';

/** Pushes an image with berth's client; returns what pushBlob did for each blob, and the manifest digest. */
async function clientPush(client: RegistryClient, reg: RegistryServer, name: string, img: TestImage, opts: { auth?: AuthConfig; mountFrom?: string[]; chunked?: boolean } = {}) {
  const repo = client.repository(parseNormalizedNamed(`${reg.host}/${name}`), { auth: opts.auth, push: true });
  const results: string[] = [];
  for (const b of [img.config, ...img.layers]) {
    const source = opts.chunked ? () => Readable.from([b.bytes.subarray(0, 1000), b.bytes.subarray(1000)]) : b.bytes;
    const tuning = opts.chunked ? { monolithicMax: 1024, chunkSize: 64 * 1024 } : {};
    results.push(await repo.pushBlob(descriptor(b), source, { mountFrom: opts.mountFrom, ...tuning }));
  }
  const digest = await repo.pushManifest(img.manifest.mediaType, img.manifest.bytes);
  return { results, digest };
}

t.test('push to an open docker-registry', { skip: registryProbe() }, async (t) => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const client = new RegistryClient();
  t.teardown(() => client.close());
  const img = await multiLayerImage();

  t.test('upload, then skip what exists, then mount across repositories', async (t) => {
    const first = await clientPush(client, reg, 'team/app:v1', img);
    t.same(first.results, ['uploaded', 'uploaded', 'uploaded', 'uploaded']);
    t.equal(first.digest, img.manifest.digest);
    const again = await clientPush(client, reg, 'team/app:v2', img);
    t.same(again.results, ['exists', 'exists', 'exists', 'exists'], 'same repository: HEAD finds them');
    const mounted = await clientPush(client, reg, 'other/app:v1', img, { mountFrom: ['team/app'] });
    t.same(mounted.results, ['mounted', 'mounted', 'mounted', 'mounted']);
    const r = await client.resolve(parseNormalizedNamed(`${reg.host}/other/app:v1`));
    t.equal(r.manifest.digest, img.manifest.digest, 'the pushed image pulls back');
  });

  t.test('chunked upload (PATCH with Content-Range) of a stream', async (t) => {
    const big = await randomImage({ layers: 2, totalBytes: 300 * 1024 });
    const { results } = await clientPush(client, reg, 'chunked', big, { chunked: true });
    t.same(results, ['uploaded', 'uploaded', 'uploaded']);
    const r = await client.resolve(parseNormalizedNamed(`${reg.host}/chunked`));
    let n = 0;
    for await (const c of r.repository.blob(r.manifest.document.layers[1]!)) n += (c as Buffer).length;
    t.equal(n, big.layers[1]!.size, 'the chunked blob downloads and verifies');
  });

  t.test('a blob whose bytes do not match the digest is refused by the registry', async (t) => {
    const repo = client.repository(parseNormalizedNamed(`${reg.host}/bad`), { push: true });
    const b = img.layers[1]!;
    const wrong = Buffer.from(b.bytes);
    wrong[0] = (wrong[0] ?? 0) ^ 1;
    await t.rejects(repo.pushBlob(descriptor(b), wrong), { kind: 'InvalidParameter', message: /digest invalid/ });
    t.equal(await repo.statBlob(b.digest), undefined, 'nothing stored');
  });
});

t.test('Basic auth (htpasswd)', { skip: registryProbe() }, async (t) => {
  const reg = await startRegistry({ htpasswd: { alice: 's3cret' } });
  t.teardown(() => reg.stop());
  const client = new RegistryClient();
  t.teardown(() => client.close());
  await pushImage(reg, 'busybox', 'latest', await busyboxImage());
  const ref = parseNormalizedNamed(`${reg.host}/busybox`);

  await t.rejects(client.resolve(ref), { kind: 'Unauthorized', message: /pull access denied for .*busybox.*authentication required/ }, 'anonymous');
  await t.rejects(client.resolve(ref, { auth: { username: 'alice', password: 'nope' } }), { kind: 'Unauthorized', message: /authentication required/ }, 'wrong password');
  const r = await client.resolve(ref, { auth: { username: 'alice', password: 's3cret' } });
  t.equal(r.manifest.document.layers.length, 1, 'right password');
  const cfg = await r.repository.config(r.manifest.document.config);
  t.same(cfg.config.config?.Cmd, ['sh'], 'blobs carry the credentials too');
  const auth = { auth: Buffer.from('alice:s3cret').toString('base64') };
  const pushed = await clientPush(client, reg, 'copy', await busyboxImage(), { auth, mountFrom: ['busybox'] });
  t.same(pushed.results, ['mounted', 'mounted'], 'push with the `auth` field, mounting from busybox');
  t.same(await client.catalog(reg.host, { auth }), ['busybox', 'copy']);
});

t.test('Bearer auth (token server)', { skip: registryProbe() || probes.openssl() }, async (t) => {
  const reg = await startRegistry({ token: { users: { alice: 's3cret' } } });
  t.teardown(() => reg.stop());
  const client = new RegistryClient();
  t.teardown(() => client.close());
  await pushImage(reg, 'busybox', 'latest', await busyboxImage());
  const ref = parseNormalizedNamed(`${reg.host}/busybox`);
  const auth = { username: 'alice', password: 's3cret' };
  const log = reg.tokenServer!.requests;

  await t.rejects(client.resolve(ref), { kind: 'Unauthorized', message: /pull access denied/ }, 'anonymous gets a token without access');
  await t.rejects(client.resolve(ref, { auth: { username: 'alice', password: 'bad' } }), { kind: 'Unauthorized', message: /incorrect username or password/ });
  log.length = 0;
  const r = await client.resolve(ref, { auth });
  for await (const c of r.repository.blob(r.manifest.document.layers[0]!)) void c;
  t.same(log.map((x) => [x.scopes, x.account]), [[['repository:busybox:pull'], 'alice']], 'one token, reused for manifest and blob');

  log.length = 0;
  const pushed = await clientPush(client, reg, 'mirror/busybox', await busyboxImage(), { auth, mountFrom: ['busybox'] });
  t.same(pushed.results, ['mounted', 'mounted']);
  t.ok(
    log.some((x) => x.scopes.includes('repository:mirror/busybox:pull,push') && x.scopes.includes('repository:busybox:pull')),
    'the mount asked one token for both repositories',
  );
  const id = await startRegistry({ token: { identityTokens: { 'refresh-123': 'alice' } } });
  t.teardown(() => id.stop());
  await pushImage(id, 'busybox', 'latest', await busyboxImage());
  const viaId = await client.resolve(parseNormalizedNamed(`${id.host}/busybox`), { auth: { identitytoken: 'refresh-123' } });
  t.equal(viaId.manifest.document.layers.length, 1, 'an identity token is exchanged with POST grant_type=refresh_token');
  t.equal(id.tokenServer!.requests.at(-1)?.method, 'POST');
});
