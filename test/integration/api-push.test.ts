/**
 * POST /images/{name}/push against the real registry: Docker's progress messages, skipping and
 * mounting what a registry holds (distribution metadata recorded at pull), uploading the exact
 * layers of imported and pulled images (a fresh daemon pulls them back to the same image ID, on vfs
 * and overlay), RepoDigests, the `image push` event, auth, and the errors dockerd gives.
 */
import t from 'tap';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasNativeMounts } from '../../drivers/graph/native.js';
import { encodeRegistryAuth } from '../../actors/services/registry/client.js';
import { hostPlatform } from '../../actors/services/registry/platform.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { busyboxImage, multiLayerImage, pushImage, randomImage } from '../helpers/images.js';
import { registryProbe, startRegistry } from '../helpers/registry.js';
import { busyboxRootfsBuffer } from '../helpers/rootfs-tar.js';

interface Msg { status?: string; id?: string; error?: string; aux?: { Tag: string; Digest: string; Size: number }; progressDetail?: { current?: number; total?: number } }
const messages = (body: string) => body.trim().split(/\r?\n/).filter(Boolean).map((l) => JSON.parse(l) as Msg);
const statuses = (m: Msg[]) => m.filter((x) => !x.aux).map((x) => x.status ?? `error: ${x.error}`);
const overlaySkip = process.getuid?.() !== 0 ? 'overlay needs root' : hasNativeMounts() ? false : 'overlay needs the native addon';

async function pull(d: TestDaemon, ref: string, auth?: string): Promise<Msg[]> {
  return messages((await d.request('POST', `/images/create?fromImage=${encodeURIComponent(ref)}`, { headers: auth ? { 'X-Registry-Auth': auth } : {} })).body);
}

async function push(d: TestDaemon, name: string, tag?: string, auth?: string): Promise<Msg[]> {
  const r = await d.request('POST', `/images/${name}/push${tag ? `?tag=${tag}` : ''}`, { headers: { 'X-Registry-Auth': auth ?? 'e30=' } });
  return messages(r.body);
}

const imageId = async (d: TestDaemon, name: string) => (await d.request('GET', `/images/${name}/json`)).json<{ Id: string; RepoDigests: string[] }>();

t.test('push to a real registry: mount, skip, upload; the progress dockerd sends', { skip: registryProbe() }, async (t) => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  await pushImage(reg, 'busybox', 'latest', await busyboxImage());
  await pull(d, `${reg.host}/busybox:latest`);
  await d.request('POST', `/images/${reg.host}/busybox:latest/tag?repo=${reg.host}/copy/busybox&tag=v1`);

  const mounted = await push(d, `${reg.host}/copy/busybox`, 'v1');
  t.equal(mounted[0]?.status, `The push refers to repository [${reg.host}/copy/busybox]`);
  t.match(mounted[1], { status: 'Preparing', id: /^[0-9a-f]{12}$/ });
  t.match(mounted[2], { status: 'Mounted from busybox', id: mounted[1]!.id }, 'a blob of the same registry is mounted, not uploaded');
  t.match(mounted[3], { status: /^v1: digest: sha256:[0-9a-f]{64} size: \d+$/ });
  t.match(mounted[4], { aux: { Tag: 'v1', Digest: /^sha256:/, Size: Number } });
  t.equal(mounted.length, 5);
  const digest = mounted[4]!.aux!.Digest;
  t.ok((await imageId(d, `${reg.host}/copy/busybox:v1`)).RepoDigests.includes(`${reg.host}/copy/busybox@${digest}`), 'the pushed digest is a RepoDigest');

  const again = await push(d, `${reg.host}/copy/busybox`, 'v1');
  t.same(statuses(again).slice(1, 3), ['Preparing', 'Layer already exists']);
  t.equal(again[3]?.status, `v1: digest: ${digest} size: ${mounted[4]!.aux!.Size}`, 'the same manifest, byte for byte');

  const imported = await d.request('POST', `/images/create?fromSrc=-&repo=${reg.host}/imported&tag=1`, { body: await busyboxRootfsBuffer({ 'etc/motd': 'imported\n' }) });
  t.equal(imported.status, 200);
  const up = await push(d, `${reg.host}/imported`);
  t.match(statuses(up).filter((s) => !s.startsWith('Pushing')), [`The push refers to repository [${reg.host}/imported]`, 'Preparing', 'Pushed', /^1: digest: sha256:/]);
  t.ok(up.some((m) => m.status === 'Pushing' && m.progressDetail?.total), 'upload progress with the layer size');
  t.match(up.at(-1), { aux: { Tag: '1' } }, 'without a tag, every tag of the repository');

  const fresh = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => fresh.close());
  t.match((await pull(fresh, `${reg.host}/imported:1`)).at(-1), { status: /Downloaded newer image/ });
  t.equal((await imageId(fresh, `${reg.host}/imported:1`)).Id, (await imageId(d, `${reg.host}/imported:1`)).Id, 'pulled back: the same image ID');

  const events = (await d.request('GET', `/events?since=0&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${encodeURIComponent('{"event":["push"]}')}`)).body;
  t.same(events.trim().split('\n').map((l) => (JSON.parse(l) as { Actor: { ID: string } }).Actor.ID), [`${reg.host}/copy/busybox:v1`, `${reg.host}/copy/busybox:v1`, `${reg.host}/imported:1`]);
});

t.test('past five uploads at once, layers wait their turn', { skip: registryProbe() }, async (t) => {
  const [a, b] = [await startRegistry(), await startRegistry()];
  t.teardown(() => Promise.all([a.stop(), b.stop()]));
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  await pushImage(a, 'seven', 'latest', await randomImage({ layers: 7, totalBytes: 7 * 4096 }));
  await pull(d, `${a.host}/seven:latest`);
  await d.request('POST', `/images/${a.host}/seven:latest/tag?repo=${b.host}/seven&tag=latest`);
  const m = await push(d, `${b.host}/seven`, 'latest');
  const prepared = m.filter((x) => x.status === 'Preparing').map((x) => x.id);
  t.equal(prepared.length, 7);
  t.same(m.filter((x) => x.status === 'Waiting').map((x) => x.id), prepared.slice(5), 'the two bottom layers wait');
  t.equal(m.filter((x) => x.status === 'Pushed').length, 7);
});

t.test('errors come in the stream with dockerd\'s words', { skip: registryProbe() }, async (t) => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  t.same(statuses(await push(d, `${reg.host}/nope`)), [`The push refers to repository [${reg.host}/nope]`, `error: An image does not exist locally with the tag: ${reg.host}/nope`]);
  await d.request('POST', `/images/create?fromSrc=-&repo=${reg.host}/x&tag=1`, { body: await busyboxRootfsBuffer() });
  t.match((await push(d, `${reg.host}/x`, 'two')).at(-1), { error: `tag does not exist: ${reg.host}/x:two` });
  const layer = readdirSync(path.join(d.config.dataRoot, 'vfs'))[0]!;
  writeFileSync(path.join(d.config.dataRoot, 'vfs', layer, 'etc', 'passwd'), 'root:x:0:0:changed behind our back:/root:/bin/sh\n');
  const changed = await push(d, `${reg.host}/x`, '1');
  t.match(changed.at(-1), { error: /etc\/passwd is no longer the \d+-byte file the layer had|assembled tar has digest/ }, 'a layer that is no longer its diffID is not pushed');
  t.equal((await fetch(`${reg.url}/v2/x/tags/list`)).status, 404, 'and nothing was committed to the registry');
  const bad = await d.request('POST', `/images/${reg.host}/x/push`, { headers: { 'X-Registry-Auth': '!!not base64 json' } });
  t.equal(bad.status, 400, 'an undecodable X-Registry-Auth is refused before the stream starts');
});

t.test('platform (API 1.46+): the image must be of it; malformed is a 400, older APIs ignore it', { skip: registryProbe() }, async (t) => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  await d.request('POST', `/images/create?fromSrc=-&repo=${reg.host}/p&tag=1`, { body: await busyboxRootfsBuffer() });
  const host = hostPlatform();
  const withPlatform = async (platform: string, prefix = '') =>
    d.request('POST', `${prefix}/images/${reg.host}/p/push?tag=1&platform=${encodeURIComponent(platform)}`, { headers: { 'X-Registry-Auth': 'e30=' } });
  const ok = messages((await withPlatform(JSON.stringify({ os: host.os, architecture: host.architecture }))).body);
  t.match(ok.at(-1), { aux: { Tag: '1', Digest: /^sha256:/ } }, 'the image is of that platform: pushed');
  const other = messages((await withPlatform('{"os":"linux","architecture":"s390x"}')).body);
  t.equal(other.at(-1)?.error, `image with reference ${reg.host}/p:1 was found but does not match the specified platform: wanted linux/s390x, actual: ${host.os}/${host.architecture}`);
  t.notOk(other.some((m) => m.aux), 'nothing pushed');
  const malformed = await withPlatform('linux/amd64');
  t.equal(malformed.status, 400);
  t.match(malformed.json(), { message: /^failed to parse platform: / });
  t.match((await withPlatform('{"os":"linux"}')).json(), { message: 'both OS and Architecture must be provided' });
  t.match((await withPlatform('{"variant":"v7"}')).json(), { message: 'optional platform fields provided, but OS and Architecture are missing' });
  const old = messages((await withPlatform('{"os":"linux","architecture":"s390x"}', '/v1.45')).body);
  t.match(old.at(-1), { aux: { Tag: '1' } }, 'before 1.46 the parameter does not exist: ignored');
});

t.test('push to a registry with basic auth needs the credentials', { skip: registryProbe() }, async (t) => {
  const reg = await startRegistry({ htpasswd: { alice: 's3cret' } });
  t.teardown(() => reg.stop());
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  await d.request('POST', `/images/create?fromSrc=-&repo=${reg.host}/private&tag=1`, { body: await busyboxRootfsBuffer() });
  t.match((await push(d, `${reg.host}/private`, '1')).at(-1), { error: /401|unauthorized|authentication required/i });
  const auth = encodeRegistryAuth({ username: 'alice', password: 's3cret', serveraddress: reg.host });
  t.match((await push(d, `${reg.host}/private`, '1', auth)).at(-1), { aux: { Tag: '1' } });
});

for (const driver of ['vfs', 'overlay'] as const) {
  t.test(`a pulled image pushed to another registry is exact (${driver})`, { skip: registryProbe() || (driver === 'overlay' && overlaySkip) }, async (t) => {
    const [a, b] = [await startRegistry(), await startRegistry()];
    t.teardown(() => Promise.all([a.stop(), b.stop()]));
    const d = await startTestDaemon({ storageDriver: driver });
    t.teardown(() => d.close());
    await pushImage(a, 'multi', 'v1', await multiLayerImage());
    await pull(d, `${a.host}/multi:v1`);
    await d.request('POST', `/images/${a.host}/multi:v1/tag?repo=${b.host}/multi&tag=v1`);
    const m = await push(d, `${b.host}/multi`, 'v1');
    t.equal(m.filter((x) => x.status === 'Pushed').length, 3, 'whiteouts, hardlinks, opaque dirs: all three layers uploaded');
    const fresh = await startTestDaemon({ storageDriver: driver });
    t.teardown(() => fresh.close());
    t.match((await pull(fresh, `${b.host}/multi:v1`)).at(-1), { status: /Downloaded newer image/ });
    t.equal((await imageId(fresh, `${b.host}/multi:v1`)).Id, (await imageId(d, `${a.host}/multi:v1`)).Id, 'the same image ID');
  });
}
