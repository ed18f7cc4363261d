/**
 * GET /images/{name}/get and /images/get (docker save): dockerd 25+'s archive (OCI layout plus
 * manifest.json and repositories), layers byte for byte (each blob hashes to its diffID), which
 * names save which tags, a missing image as a plain 404, the same bytes twice, and a round trip
 * through POST /images/load into a fresh daemon on vfs and overlay.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import http from 'node:http';
import tar from 'tar-stream';
import { hasNativeMounts } from '../../drivers/graph/native.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { busyboxImage, multiLayerImage, pushImage } from '../helpers/images.js';
import { registryProbe, startRegistry } from '../helpers/registry.js';

const overlaySkip = process.getuid?.() !== 0 ? 'overlay needs root' : hasNativeMounts() ? false : 'overlay needs the native addon';
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** GET a path as raw bytes. */
export function getBytes(d: TestDaemon, urlPath: string): Promise<{ status: number; type?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get({ socketPath: d.socket, path: urlPath }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(parts) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The files of a tar, by name. */
export async function tarFiles(bytes: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const ex = tar.extract();
  ex.end(bytes);
  for await (const entry of ex) {
    const parts: Buffer[] = [];
    for await (const c of entry) parts.push(c as Buffer);
    if (entry.header.type === 'file') out.set(entry.header.name, Buffer.concat(parts));
  }
  return out;
}

const json = <T>(files: Map<string, Buffer>, name: string) => JSON.parse(files.get(name)!.toString()) as T;
const load = async (d: TestDaemon, body: Buffer, quiet = true) =>
  (await d.request('POST', `/images/load${quiet ? '?quiet=1' : ''}`, { body, headers: { 'Content-Type': 'application/x-tar' } })).body;
const streamLines = (body: string) => body.trim().split(/\r?\n/).map((l) => JSON.parse(l) as { stream?: string; error?: string; status?: string });

for (const driver of ['vfs', 'overlay'] as const) {
  t.test(`save as dockerd 25+ does, load it back (${driver})`, { skip: registryProbe() || (driver === 'overlay' && overlaySkip) }, async (t) => {
    const reg = await startRegistry();
    t.teardown(() => reg.stop());
    const d = await startTestDaemon({ storageDriver: driver });
    t.teardown(() => d.close());
    await pushImage(reg, 'multi', 'v1', await multiLayerImage());
    await pushImage(reg, 'busybox', 'latest', await busyboxImage());
    for (const ref of [`${reg.host}/multi:v1`, `${reg.host}/busybox:latest`]) await d.request('POST', `/images/create?fromImage=${ref}`);
    await d.request('POST', `/images/${reg.host}/busybox:latest/tag?repo=bb&tag=1`);
    const multiId = (await d.request('GET', `/images/${reg.host}/multi:v1/json`)).json<{ Id: string }>().Id;

    const r = await getBytes(d, `/images/get?names=${encodeURIComponent(`${reg.host}/multi:v1`)}&names=bb:1`);
    t.equal(r.status, 200);
    t.equal(r.type, 'application/x-tar');
    const files = await tarFiles(r.body);
    t.same(json(files, 'oci-layout'), { imageLayoutVersion: '1.0.0' });
    const manifest = json<{ Config: string; RepoTags: string[]; Layers: string[] }[]>(files, 'manifest.json');
    t.same(manifest.map((m) => m.RepoTags), [[`${reg.host}/multi:v1`], ['bb:1']]);
    t.equal(manifest[0]!.Config, `blobs/sha256/${multiId.slice(7)}`);
    t.equal(sha(files.get(manifest[0]!.Config)!), multiId, 'the config blob is the image ID');
    for (const m of manifest) for (const l of m.Layers) t.equal(sha(files.get(l)!), `sha256:${l.split('/').at(-1)}`, `layer ${l.slice(-12)} is its exact tar`);
    const index = json<{ manifests: { digest: string; annotations: Record<string, string>; platform: { os: string } }[] }>(files, 'index.json');
    t.same(index.manifests.map((m) => m.annotations['io.containerd.image.name']), [`${reg.host}/multi:v1`, 'docker.io/library/bb:1']);
    t.same(index.manifests.map((m) => m.annotations['org.opencontainers.image.ref.name']), ['v1', '1']);
    t.ok(files.has(`blobs/sha256/${index.manifests[0]!.digest.slice(7)}`), 'the OCI manifest is a blob');
    t.same(Object.keys(json(files, 'repositories')), [`${reg.host}/multi`, 'bb']);
    t.ok((await getBytes(d, `/images/get?names=${encodeURIComponent(`${reg.host}/multi:v1`)}&names=bb:1`)).body.equals(r.body), 'the same bytes twice');

    const fresh = await startTestDaemon({ storageDriver: driver });
    t.teardown(() => fresh.close());
    t.same(streamLines(await load(fresh, r.body)), [{ stream: `Loaded image: ${reg.host}/multi:v1\n` }, { stream: 'Loaded image: bb:1\n' }]);
    t.equal((await fresh.request('GET', `/images/${reg.host}/multi:v1/json`)).json<{ Id: string }>().Id, multiId, 'the same image ID');
    const events = (await fresh.request('GET', `/events?since=0&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${encodeURIComponent('{"type":["image"]}')}`)).body;
    t.same(streamLines(events).map((e) => (e as { Action?: string }).Action), ['load', 'load']);
  });
}

t.test('which names save which tags; errors before the archive starts', { skip: registryProbe() }, async (t) => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  await pushImage(reg, 'busybox', 'latest', await busyboxImage());
  await d.request('POST', `/images/create?fromImage=${reg.host}/busybox:latest`);
  for (const tag of ['1', '2']) await d.request('POST', `/images/${reg.host}/busybox:latest/tag?repo=bb&tag=${tag}`);
  const id = (await d.request('GET', '/images/bb:1/json')).json<{ Id: string }>().Id;

  const tagsOf = async (p: string) => json<{ RepoTags: string[] | null }[]>(await tarFiles((await getBytes(d, p)).body), 'manifest.json').map((m) => m.RepoTags);
  t.same(await tagsOf('/images/bb/get'), [['bb:1', 'bb:2']], 'a bare repository name: all its tags');
  t.same(await tagsOf(`/images/${id.slice(7, 19)}/get`), [null], 'an ID: no tags');
  const untagged = await tarFiles((await getBytes(d, `/images/${id}/get`)).body);
  t.notOk(untagged.has('repositories'), 'no repositories file without tags');

  const missing = await getBytes(d, '/images/nope:1/get');
  t.equal(missing.status, 404);
  t.same(JSON.parse(missing.body.toString()), { message: 'No such image: nope:1' });
  t.equal((await getBytes(d, '/images/get?names=bb:1&names=gone')).status, 404, 'one missing name fails the whole save');

  const fresh = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => fresh.close());
  t.same(streamLines(await load(fresh, (await getBytes(d, `/images/${id}/get`)).body)), [{ stream: `Loaded image ID: ${id}\n` }]);
  const events = (await d.request('GET', `/events?since=0&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${encodeURIComponent('{"event":["save"]}')}`)).body;
  t.ok(streamLines(events).every((e) => (e as { Actor?: { ID: string } }).Actor?.ID === id), 'image save events name the image');
});
