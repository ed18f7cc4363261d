import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestDaemon } from '../helpers/daemon.js';
import { buildImage, busyboxImage, multiLayerImage, platformIndex, pushImage, randomImage } from '../helpers/images.js';
import { registryProbe, startRegistry } from '../helpers/registry.js';
import { startFakeRegistry } from '../helpers/registry-fake.js';

interface Msg { status?: string; id?: string; error?: string; progressDetail?: { current?: number; total?: number } }
const messages = (body: string) => body.trim().split(/\r?\n/).filter(Boolean).map((l) => JSON.parse(l) as Msg);

t.test('pull from a real registry: progress, layers shared, up to date, platforms', { skip: registryProbe() }, async (t) => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  await pushImage(reg, 'busybox', 'latest', await busyboxImage());
  await pushImage(reg, 'multi', 'v1', await multiLayerImage());
  await pushImage(reg, 'multiarch', 'latest', await platformIndex());

  const r = await d.request('POST', `/images/create?fromImage=${encodeURIComponent(`${reg.host}/busybox`)}&tag=latest`, { headers: { 'X-Registry-Auth': 'e30=' } });
  t.equal(r.status, 200);
  const m = messages(r.body);
  t.match(m[0], { status: 'Pulling from busybox', id: 'latest' });
  t.ok(m.some((x) => x.status === 'Pulling fs layer'));
  t.ok(m.some((x) => x.status === 'Downloading' && x.progressDetail?.total), 'download progress with totals');
  t.ok(m.some((x) => x.status === 'Pull complete'));
  t.match(m.at(-2), { status: /^Digest: sha256:[0-9a-f]{64}$/ });
  t.same(m.at(-1), { status: `Status: Downloaded newer image for ${reg.host}/busybox:latest` });

  const again = messages((await d.request('POST', `/images/create?fromImage=${reg.host}/busybox&tag=latest`)).body);
  t.same(again.at(-1), { status: `Status: Image is up to date for ${reg.host}/busybox:latest` });
  t.notOk(again.some((x) => x.status === 'Downloading'), 'nothing downloaded twice');

  const inspect = (await d.request('GET', `/images/${reg.host}/busybox:latest/json`)).json<{ RepoDigests: string[]; RepoTags: string[]; Config: { Cmd: string[] } }>();
  t.same(inspect.RepoTags, [`${reg.host}/busybox:latest`]);
  t.match(inspect.RepoDigests[0], new RegExp(`^${reg.host}/busybox@sha256:`));

  const multi = messages((await d.request('POST', `/images/create?fromImage=${reg.host}/multi&tag=v1`)).body);
  t.match(multi.at(-1), { status: /Downloaded newer image/ });
  t.ok(multi.some((x) => x.status === 'Already exists'), 'the busybox base layer is shared');

  const arm = messages((await d.request('POST', `/images/create?fromImage=${reg.host}/multiarch&tag=latest&platform=linux/arm64`)).body);
  t.match(arm.at(-1), { status: /Downloaded newer image/ });
  const armInspect = (await d.request('GET', `/images/${reg.host}/multiarch/json`)).json<{ Architecture: string }>();
  t.equal(armInspect.Architecture, 'arm64');

  const missing = messages((await d.request('POST', `/images/create?fromImage=${reg.host}/nope&tag=latest`)).body);
  t.match(missing.at(-1), { error: /manifest for .*nope:latest not found|not found/ });
});

t.test('a pull whose layer does not match its digest leaves nothing', { skip: registryProbe() }, async (t) => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  const img = await busyboxImage();
  // A config whose diff_id is wrong: every blob digest holds, the content check must not.
  await pushImage(reg, 'bad', 'latest', buildImage({ layers: [{ ...img.layers[0]!, diffId: `sha256:${'0'.repeat(64)}` }] }));
  const m = messages((await d.request('POST', `/images/create?fromImage=${reg.host}/bad&tag=latest`)).body);
  t.match(m.at(-1), { error: /diffID/ });
  t.same((await d.request('GET', '/images/json')).json(), []);
  t.same(readdirSync(path.join(d.config.dataRoot, 'vfs')), [], 'no layer tree left');
});

t.test('a pull of a blob that is not its digest, or that its client gives up, leaves nothing', async (t) => {
  const reg = await startFakeRegistry();
  t.teardown(() => reg.close());
  const img = await randomImage({ layers: 2, totalBytes: 2 * 1024 * 1024 });
  reg.add('faulty', 'latest', img);
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  const left = () => ['vfs', path.join('image', 'tar-split')].flatMap((sub) => (existsSync(path.join(d.config.dataRoot, sub)) ? readdirSync(path.join(d.config.dataRoot, sub)) : []));

  // The layers are hashed on the driver's apply worker, not by the download: the error must still be the download's.
  reg.faults.corrupt.add(img.layers[1]!.digest);
  const m = messages((await d.request('POST', `/images/create?fromImage=${reg.host}/faulty&tag=latest`)).body);
  t.match(m.at(-1), { error: new RegExp(`filesystem layer verification failed for digest ${img.layers[1]!.digest} \\(${reg.host}/faulty\\): the content has digest sha256:`) });
  t.same((await d.request('GET', '/images/json')).json(), []);
  t.same(left(), [], 'no layer tree or tar-split records left');
  reg.faults.corrupt.clear();

  for (const l of img.layers) reg.faults.slow.set(l.digest, 256 * 1024);
  const req = http.request({ socketPath: d.socket, method: 'POST', path: `/images/create?fromImage=${reg.host}/faulty&tag=latest` });
  req.on('error', () => undefined);
  req.end();
  for (let i = 0; i < 100 && left().filter((n) => !n.startsWith('.')).length === 0; i++) await sleep(50);
  await sleep(300); // a layer is being applied
  req.destroy();
  for (let i = 0; i < 100 && left().length > 0; i++) await sleep(50);
  t.same(left(), [], 'a pull its client left is cancelled and rolled back');
  reg.faults.slow.clear();
});

t.test('a pull of several new layers: each tree holds the layers below, progress as dockerd reports it', { skip: registryProbe() }, async (t) => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  await pushImage(reg, 'multi', 'v1', await multiLayerImage());
  for (const driver of ['vfs', 'overlay']) {
    const d = await startTestDaemon({ storageDriver: driver });
    t.teardown(() => d.close());
    const info = (await d.request('GET', '/info')).json<{ Driver: string }>();
    if (info.Driver !== driver) {
      t.comment(`${driver} is not available here: ${info.Driver} instead`);
      continue;
    }
    const m = messages((await d.request('POST', `/images/create?fromImage=${reg.host}/multi&tag=v1`)).body);
    t.match(m.at(-1), { status: /Downloaded newer image/ }, `${driver}: pulled`);
    t.notOk(m.some((x) => x.status === 'Already exists'), `${driver}: every layer was new`);
    // Per layer, dockerd's order: Pulling fs layer, Downloading…, Verifying Checksum, Download complete, Extracting…, Pull complete.
    const ids = [...new Set(m.filter((x) => x.status === 'Pulling fs layer').map((x) => x.id))];
    t.equal(ids.length, 3, `${driver}: three layers`);
    for (const id of ids) {
      const seq = m.filter((x) => x.id === id).map((x) => x.status).filter((s, i, all) => s !== all[i - 1]);
      t.same(seq, ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete'], `${driver}: layer ${id}`);
      const extracted = m.filter((x) => x.id === id && x.status === 'Extracting').at(-1);
      t.equal(extracted?.progressDetail?.current, extracted?.progressDetail?.total, `${driver}: layer ${id} extracted to its end`);
    }
    // The top layer's rootfs: the base layer's busybox, the second's passwd, the third's files and whiteouts.
    const c = await d.request('POST', '/containers/create', { body: JSON.stringify({ Image: `${reg.host}/multi:v1` }), headers: { 'content-type': 'application/json' } });
    t.equal(c.status, 201, `${driver}: container created`);
    const id = c.json<{ Id: string }>().Id;
    const has = async (p: string) => (await d.request('HEAD', `/containers/${id}/archive?path=${encodeURIComponent(p)}`)).status;
    for (const p of ['/bin/busybox', '/home/app', '/etc/layer3', '/opt/app/c.txt']) t.equal(await has(p), 200, `${driver}: ${p} is there`);
    for (const p of ['/etc/motd', '/opt/app/a.txt']) t.equal(await has(p), 404, `${driver}: ${p} is whited out`);
    await d.request('DELETE', `/containers/${id}`);
  }
});
