/**
 * Volumes over the API on the native runtime: the local driver's create / list / inspect / remove /
 * prune, named volumes made on demand and filled from the image, anonymous ones for `-v /path` and an
 * image's VOLUME (gone with `rm -v`), and data that outlives its containers in a volume and a bind.
 */
import t from 'tap';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { createContainer as createOn, demux, importBusybox } from '../helpers/containers.js';
import { probes } from '../helpers/probes.js';

/** Containers without a network: the default bridge is shared by every daemon on the host, and these tests need none. */
const createContainer = (d: TestDaemon, body: Record<string, unknown>) =>
  createOn(d, { ...body, HostConfig: { NetworkMode: 'none', ...((body.HostConfig as object | undefined) ?? {}) } });
import { busyboxRootfsBuffer } from '../helpers/rootfs-tar.js';

const json = { 'content-type': 'application/json' };

/** Runs a container to its end; returns its ID and its stdout. */
async function runOnce(d: TestDaemon, body: Record<string, unknown>): Promise<{ id: string; out: string; code: number }> {
  const id = await createContainer(d, body);
  const start = await d.request('POST', `/containers/${id}/start`);
  if (start.status !== 204) throw new Error(`start: ${start.status} ${start.body}`);
  const code = (await d.request('POST', `/containers/${id}/wait`)).json<{ StatusCode: number }>().StatusCode;
  const logs = await new Promise<Buffer>((resolve, reject) => {
    import('node:http').then(({ default: http }) => {
      http.get({ socketPath: d.socket, path: `/containers/${id}/logs?stdout=1&stderr=1` }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject);
    }, reject);
  });
  const { stdout, stderr } = demux(logs);
  return { id, out: stdout + stderr, code };
}

const volumes = async (d: TestDaemon, filters?: object) =>
  (await d.request('GET', `/volumes${filters ? `?filters=${encodeURIComponent(JSON.stringify(filters))}` : ''}`)).json<{ Volumes: { Name: string; Labels: Record<string, string> }[]; Warnings: null }>();

t.test('volumes on the native runtime', { skip: probes.root() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.close());
  await importBusybox(d);

  t.test('create, inspect, list with filters, remove, prune', async (t) => {
    const c = await d.request('POST', '/volumes/create', { body: JSON.stringify({ Name: 'alpha', Labels: { team: 'a' } }), headers: json });
    t.equal(c.status, 201);
    t.match(c.json(), { Name: 'alpha', Driver: 'local', Scope: 'local', Labels: { team: 'a' }, Mountpoint: path.join(d.config.dataRoot, 'volumes', 'alpha', '_data'), CreatedAt: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ });
    t.ok(existsSync(path.join(d.config.dataRoot, 'volumes', 'alpha', '_data')), 'its directory exists');
    t.equal((await d.request('POST', '/volumes/create', { body: JSON.stringify({ Name: 'alpha' }), headers: json })).status, 201, 'creating it again answers the same volume');
    const gen = (await d.request('POST', '/volumes/create', { body: '{}', headers: json })).json<{ Name: string }>();
    t.match(gen.Name, /^[0-9a-f]{64}$/, 'a generated name');
    t.same((await volumes(d)).Volumes.map((v) => v.Name).sort(), ['alpha', gen.Name].sort());
    t.same((await volumes(d, { label: ['team=a'] })).Volumes.map((v) => v.Name), ['alpha']);
    t.same((await volumes(d, { name: ['lph'] })).Volumes.map((v) => v.Name), ['alpha']);
    t.equal((await volumes(d, { dangling: ['false'] })).Volumes.length, 0, 'nothing is in use');
    t.match((await d.request('GET', '/volumes/nope')).json(), { message: 'get nope: no such volume' });
    t.equal((await d.request('GET', '/volumes/nope')).status, 404);
    t.equal((await d.request('POST', '/volumes/create', { body: JSON.stringify({ Name: 'a' }), headers: json })).status, 400, 'too short');
    t.equal((await d.request('POST', '/volumes/create', { body: JSON.stringify({ Name: 'xx', Driver: 'nfs' }), headers: json })).status, 404, 'no such driver');
    t.equal((await d.request('DELETE', `/volumes/${gen.Name}`)).status, 204);
    t.equal((await d.request('DELETE', '/volumes/nope?force=1')).status, 204, 'force ignores a missing volume');
    t.same((await d.request('POST', '/volumes/prune')).json(), { VolumesDeleted: null, SpaceReclaimed: 0 }, 'prune keeps named volumes');
    const all = (await d.request('POST', `/volumes/prune?filters=${encodeURIComponent('{"all":["true"]}')}`)).json<{ VolumesDeleted: string[] }>();
    t.same(all.VolumesDeleted, ['alpha'], 'all=true prunes named ones too');
    t.notOk(existsSync(path.join(d.config.dataRoot, 'volumes', 'alpha')), 'and its directory');
  });

  t.test('a named volume: made on demand, filled from the image, data kept across containers, in use while held', async (t) => {
    const first = await runOnce(d, { Cmd: ['sh', '-c', 'ls /etc; echo kept > /etc/note'], HostConfig: { Binds: ['conf:/etc'] } });
    t.match(first.out, /group\npasswd\n/, 'the image content was copied into the new volume');
    const insp = (await d.request('GET', `/containers/${first.id}/json`)).json<{ Mounts: unknown[] }>();
    t.same(insp.Mounts, [{ Type: 'volume', Name: 'conf', Source: path.join(d.config.dataRoot, 'volumes', 'conf', '_data'), Destination: '/etc', Driver: 'local', Mode: 'z', RW: true, Propagation: '' }]);
    const rm = await d.request('DELETE', '/volumes/conf');
    t.equal(rm.status, 409);
    t.equal(rm.json<{ message: string }>().message, `remove conf: volume is in use - [${first.id}]`);
    t.same((await volumes(d, { dangling: ['true'] })).Volumes, [], 'not dangling while held');
    await d.request('DELETE', `/containers/${first.id}?v=1`);
    const second = await runOnce(d, { Cmd: ['cat', '/data/note'], HostConfig: { Mounts: [{ Type: 'volume', Source: 'conf', Target: '/data', ReadOnly: true }] } });
    t.equal(second.out, 'kept\n', 'the next container sees the data (rm -v keeps named volumes)');
    const ro = await runOnce(d, { Cmd: ['sh', '-c', 'touch /data/x'], HostConfig: { Binds: ['conf:/data:ro'] } });
    t.not(ro.code, 0, 'a read-only volume refuses writes');
    for (const id of [second.id, ro.id]) await d.request('DELETE', `/containers/${id}`);
    t.equal((await d.request('DELETE', '/volumes/conf')).status, 204, 'free again once its containers are gone');
  });

  t.test('a bind mount keeps its data across containers', async (t) => {
    const host = mkdtempSync(path.join(os.tmpdir(), 'berth-test-bind-'));
    t.teardown(() => rmSync(host, { recursive: true, force: true }));
    const w = await runOnce(d, { Cmd: ['sh', '-c', 'echo hello > /src/out'], HostConfig: { Binds: [`${host}:/src`] } });
    t.equal(readFileSync(path.join(host, 'out'), 'utf8'), 'hello\n');
    const r = await runOnce(d, { Cmd: ['cat', '/src/out'], HostConfig: { Binds: [`${host}:/src:ro`] } });
    t.equal(r.out, 'hello\n');
    t.match((await d.request('GET', `/containers/${r.id}/json`)).json(), { Mounts: [{ Type: 'bind', Source: host, Destination: '/src', Mode: 'ro', RW: false, Propagation: 'rprivate' }] });
    for (const id of [w.id, r.id]) await d.request('DELETE', `/containers/${id}`);
  });

  t.test('anonymous volumes: -v /path and the image VOLUME, removed by rm -v only', async (t) => {
    const tar = await busyboxRootfsBuffer({ 'srv/index.html': 'hi\n' });
    const changes = ['CMD ["sh"]', 'VOLUME /srv'].map((c) => `changes=${encodeURIComponent(c)}`).join('&');
    await d.request('POST', `/images/create?fromSrc=-&repo=withvol&tag=latest&${changes}`, { body: tar });
    const a = await runOnce(d, { Image: 'withvol', Cmd: ['cat', '/srv/index.html'], HostConfig: { Binds: ['/scratch'] } });
    t.equal(a.out, 'hi\n', 'the image content is in the anonymous volume');
    const mounts = (await d.request('GET', `/containers/${a.id}/json`)).json<{ Mounts: { Name: string; Destination: string; Type: string }[] }>().Mounts;
    t.same(mounts.map((m) => [m.Type, m.Destination]), [['volume', '/scratch'], ['volume', '/srv']]);
    const anon = (await volumes(d)).Volumes.filter((v) => 'com.docker.volume.anonymous' in v.Labels);
    t.equal(anon.length, 2, 'both anonymous, labelled as dockerd does');
    await d.request('DELETE', `/containers/${a.id}?v=1`);
    t.same((await volumes(d)).Volumes, [], 'rm -v removed them');
    const b = await runOnce(d, { Image: 'withvol', Cmd: ['true'] });
    await d.request('DELETE', `/containers/${b.id}`);
    t.equal((await volumes(d)).Volumes.length, 1, 'rm without -v keeps it');
    t.equal((await d.request('POST', '/volumes/prune')).json<{ VolumesDeleted: string[] }>().VolumesDeleted.length, 1, 'prune takes unused anonymous ones');
    await d.request('DELETE', '/images/withvol');
  });

  t.test('bad mount specifications are 400s', async (t) => {
    const bad = async (HostConfig: object) => (await d.request('POST', '/containers/create', { body: JSON.stringify({ Image: 'busybox', HostConfig }), headers: json })).status;
    t.equal(await bad({ Binds: ['/data:ro'] }), 400, 'a destination with a mode and no source');
    t.equal(await bad({ Binds: ['vol:relative'] }), 400, 'a relative destination');
    t.equal(await bad({ Binds: ['a:/x', 'b:/x'] }), 400, 'two mounts on one path');
    t.equal(await bad({ Mounts: [{ Type: 'bind', Source: '/nonexistent-berth-dir', Target: '/x' }] }), 400, '--mount needs an existing bind source');
    t.same((await volumes(d)).Volumes, [], 'no volume made for a refused container');
  });

  t.test('nothing left behind', async (t) => {
    t.same((await d.request('GET', '/containers/json?all=1')).json(), []);
    t.same((await volumes(d)).Volumes, []);
    t.same(readdirSync(path.join(d.config.dataRoot, 'volumes')), []);
  });
});
