/**
 * Faults the real registry cannot produce, served by the in-process fake: a connection cut in the
 * middle of a blob (resumed with Range, still verified), bytes that do not match their digest (the
 * stream errors, so a caller writing a file knows to discard it), a slow blob, cancellation; the
 * Bearer challenge flow; docker.io served by a mirror.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { RegistryClient } from '../../actors/services/registry/client.js';
import { parseNormalizedNamed } from '../../protocol/reference.js';
import { busyboxImage, descriptor, randomImage } from '../helpers/images.js';
import { startFakeRegistry, type FakeRegistry } from '../helpers/registry-fake.js';
import { freePort } from '../helpers/registry.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function readAll(s: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

t.test('blob faults', async (t) => {
  const fake = await startFakeRegistry();
  t.teardown(() => fake.close());
  const client = new RegistryClient();
  t.teardown(() => client.close());
  const img = await randomImage({ layers: 1, totalBytes: 2 * 1024 * 1024 });
  fake.add('big', 'latest', img);
  const layer = img.layers[0]!;
  const repo = () => client.repository(parseNormalizedNamed(`${fake.host}/big`));
  const blobGets = () => fake.requests.filter((r) => r.method === 'GET' && r.url.endsWith(layer.digest));
  const fast = { retryDelayMs: 10 };

  t.test('a connection cut mid-blob is resumed with Range and still verifies', async (t) => {
    fake.requests.length = 0;
    fake.faults.cut.set(layer.digest, { after: 700_000 });
    const bytes = await readAll(repo().blob(descriptor(layer), fast));
    t.equal(sha256(bytes), layer.digest, 'every byte once, in order');
    const gets = blobGets();
    t.equal(gets.length, 2, 'one resume');
    t.equal(gets[0]!.range, undefined);
    t.match(gets[1]!.range, /^bytes=\d+-$/, 'the resume asks for the rest');
    t.ok(Number(/=(\d+)-/.exec(gets[1]!.range!)![1]) > 0, 'not from zero');
  });

  t.test('several cuts in a row, and a server that ignores Range', async (t) => {
    fake.requests.length = 0;
    fake.faults.cut.set(layer.digest, { after: 300_000, times: 3 });
    fake.faults.ignoreRange = true;
    t.teardown(() => void (fake.faults.ignoreRange = false));
    const bytes = await readAll(repo().blob(descriptor(layer), fast));
    t.equal(sha256(bytes), layer.digest, 'already-received bytes are skipped');
    t.equal(blobGets().length, 4);
  });

  t.test('a connection that keeps failing gives up, Unavailable', async (t) => {
    fake.faults.cut.set(layer.digest, { after: 0, times: 100 });
    t.teardown(() => fake.faults.cut.clear());
    await t.rejects(readAll(repo().blob(descriptor(layer), { retries: 2, retryDelayMs: 5 })), { kind: 'Unavailable', message: /failed after 2 retries/ });
  });

  t.test('a wrong digest is refused, and the file written from it can be discarded', async (t) => {
    fake.faults.corrupt.add(layer.digest);
    t.teardown(() => fake.faults.corrupt.delete(layer.digest));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-blob-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'layer.partial');
    await t.rejects(pipeline(repo().blob(descriptor(layer)), createWriteStream(file)), {
      kind: 'System',
      message: new RegExp(`filesystem layer verification failed for digest ${layer.digest} \\(${fake.host}/big\\): the content has digest sha256:`),
    });
    t.ok(statSync(file).size <= layer.size, 'the stream errored instead of ending: what was written is the caller’s to discard');
  });

  t.test('more bytes than the descriptor says: refused before the extra byte', async (t) => {
    fake.faults.oversize.add(layer.digest);
    t.teardown(() => fake.faults.oversize.delete(layer.digest));
    let got = 0;
    const s = repo().blob(descriptor(layer));
    await t.rejects(
      (async () => {
        for await (const c of s) got += (c as Buffer).length;
      })(),
      { kind: 'System', message: /more than the \d+ bytes the manifest announces/ },
    );
    t.ok(got <= layer.size);
  });

  t.test('a slow blob arrives whole; cancelling it is Cancelled', async (t) => {
    const small = await busyboxImage({ extra: [{ name: 'etc/slow', content: 'x' }] });
    fake.add('slow', 'latest', small);
    const l = small.layers[0]!;
    fake.faults.slow.set(l.digest, 4 * 1024 * 1024);
    const slowRepo = client.repository(parseNormalizedNamed(`${fake.host}/slow`));
    const started = Date.now();
    t.equal(sha256(await readAll(slowRepo.blob(descriptor(l)))), l.digest);
    t.ok(Date.now() - started >= 200, 'it was slow');
    fake.faults.slow.set(l.digest, 64 * 1024);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await t.rejects(readAll(slowRepo.blob(descriptor(l), { signal: ac.signal })), { kind: 'Cancelled', message: /cancelled/ });
  });
});

t.test('Bearer challenge flow', async (t) => {
  const fake = await startFakeRegistry({ auth: { scheme: 'bearer', users: { bob: 'pw' } } });
  t.teardown(() => fake.close());
  const client = new RegistryClient();
  t.teardown(() => client.close());
  const img = await busyboxImage();
  fake.add('library/app', 'v1', img);
  const ref = parseNormalizedNamed(`${fake.host}/library/app:v1`);

  const r = await client.resolve(ref, { auth: { username: 'bob', password: 'pw' } });
  t.equal(sha256(await readAll(r.repository.blob(r.manifest.document.layers[0]!))), img.layers[0]!.digest);
  t.same(fake.tokenRequests, [{ scopes: ['repository:library/app:pull'], account: 'bob' }], 'one token for manifest, config and layer');
  const authorized = fake.requests.filter((x) => x.authorization?.startsWith('Bearer tok-'));
  t.ok(authorized.length >= 2, 'requests carry the token');
  await t.rejects(client.resolve(ref), { kind: 'Unauthorized', message: /pull access denied for .*library\/app/ }, 'anonymous: no access');
  await t.rejects(client.resolve(ref, { auth: { username: 'bob', password: 'bad' } }), { kind: 'Unauthorized', message: /incorrect username or password/ });
  fake.revokeTokens();
  fake.tokenRequests.length = 0;
  const again = await r.repository.config(r.manifest.document.config);
  t.same(again.config.config?.Cmd, ['sh'], 'a token the registry stopped accepting is replaced');
  t.equal(fake.tokenRequests.length, 1, 'by exactly one new token');
  const fresh = new RegistryClient();
  t.teardown(() => fresh.close());
  fake.tokenRequests.length = 0;
  const repo = fresh.repository(ref, { auth: { username: 'bob', password: 'pw' } });
  const blobs = await Promise.all([img.config, img.layers[0]!, img.config].map((b) => readAll(repo.blob(descriptor(b)))));
  t.same(blobs.map(sha256), [img.config.digest, img.layers[0]!.digest, img.config.digest], 'concurrent first requests all get through');
  t.ok(fake.tokenRequests.length <= 3, `no token storm (${fake.tokenRequests.length} fetches)`);
  const viaToken = await startFakeRegistry({ auth: { scheme: 'bearer', users: {}, anonymousPull: true } });
  t.teardown(() => viaToken.close());
  viaToken.add('x', 'latest', img);
  const anon = await client.resolve(parseNormalizedNamed(`${viaToken.host}/x`));
  t.equal(anon.manifest.digest, img.manifest.digest, 'anonymous pull where the token server allows it');
  t.same(viaToken.tokenRequests, [{ scopes: ['repository:x:pull'], account: '' }]);
});

t.test('docker.io through --registry-mirror: a dead mirror is skipped', async (t) => {
  const fake: FakeRegistry = await startFakeRegistry();
  t.teardown(() => fake.close());
  const dead = `http://127.0.0.1:${await freePort()}`;
  const client = new RegistryClient({ mirrors: [dead, fake.url] });
  t.teardown(() => client.close());
  const img = await busyboxImage();
  fake.add('library/busybox', 'latest', img);
  const r = await client.resolve(parseNormalizedNamed('busybox'), { auth: { username: 'hub-user', password: 'hub-secret' } });
  t.equal(r.manifest.digest, img.manifest.digest, 'busybox from the mirror');
  t.equal(sha256(await readAll(r.repository.blob(r.manifest.document.layers[0]!))), img.layers[0]!.digest, 'its blobs too');
  t.notOk(fake.requests.some((x) => x.authorization), 'Hub credentials are not sent to a mirror');
});
