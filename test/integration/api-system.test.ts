import t from 'tap';
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import { startEngine } from '../../actors/engine.js';
import { startTestDaemon, testDir } from '../helpers/daemon.js';

t.test('the system routes, as the docker CLI and dockerode call them', async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.close());

  t.test('socket is created 0660', async (t) => {
    t.equal(statSync(d.socket).mode & 0o777, 0o660);
  });

  t.test('HEAD and GET /_ping carry the headers the CLI negotiates from', async (t) => {
    for (const method of ['HEAD', 'GET']) {
      const r = await d.request(method, '/_ping');
      t.equal(r.status, 200, method);
      t.equal(r.headers['api-version'], '1.47');
      t.equal(r.headers['ostype'], 'linux');
      t.equal(r.headers['docker-experimental'], 'false');
      t.equal(r.headers['cache-control'], 'no-cache, no-store, must-revalidate');
      t.equal(r.headers['pragma'], 'no-cache');
      t.match(r.headers['server'], /^berth\/\S+ \(linux\)$/);
      t.equal(r.body, method === 'GET' ? 'OK' : '');
    }
  });

  t.test('GET /version with and without a version prefix', async (t) => {
    for (const p of ['/version', '/v1.24/version', '/v1.41/version', '/v1.47/version']) {
      const r = await d.request('GET', p);
      t.equal(r.status, 200, p);
      const v = r.json<{ ApiVersion: string; MinAPIVersion: string; Components: { Name: string }[]; KernelVersion: string; Os: string; Arch: string }>();
      t.equal(v.ApiVersion, '1.47');
      t.equal(v.MinAPIVersion, '1.24');
      t.equal(v.KernelVersion, os.release());
      t.equal(v.Os, 'linux');
      t.equal(v.Arch, process.arch === 'x64' ? 'amd64' : process.arch);
      t.equal(v.Components[0]!.Name, 'Engine');
    }
  });

  t.test('API versions out of range are 400 with dockerd messages', async (t) => {
    const hi = await d.request('GET', '/v1.48/version');
    t.equal(hi.status, 400);
    t.same(hi.json(), { message: 'client version 1.48 is too new. Maximum supported API version is 1.47' });
    const lo = await d.request('GET', '/v1.12/info');
    t.equal(lo.status, 400);
    t.match(lo.json(), { message: /client version 1.12 is too old. Minimum supported API version is 1.24/ });
  });

  t.test('GET /info describes this host', async (t) => {
    const r = await d.request('GET', '/v1.47/info');
    t.equal(r.status, 200);
    const i = r.json<Record<string, unknown>>();
    t.equal(i.NCPU, os.cpus().length);
    t.equal(i.KernelVersion, os.release());
    t.equal(i.DockerRootDir, d.config.dataRoot);
    t.equal(i.OSType, 'linux');
    t.match(i.CgroupVersion, /^[12]$/);
    t.match(i.ID, /^[0-9a-f-]{36}$/);
    t.equal(i.Name, os.hostname());
    t.equal(i.MemTotal, os.totalmem());
  });

  t.test('unknown routes and methods are 404 JSON', async (t) => {
    for (const [m, p] of [['GET', '/nope'], ['GET', '/v1.47/containers/x/nonsense'], ['DELETE', '/version']] as const) {
      const r = await d.request(m, p);
      t.equal(r.status, 404, `${m} ${p}`);
      t.match(r.headers['content-type'], /application\/json/);
      t.same(r.json(), { message: 'page not found' });
      t.equal(r.headers['api-version'], '1.47', 'errors carry the common headers too');
    }
  });

  t.test('GET /events: history with since/until, filters, bad values', async (t) => {
    const now = Math.ceil(Date.now() / 1000) + 1;
    const r = await d.request('GET', `/events?since=0&until=${now}`);
    t.equal(r.status, 200);
    const lines = r.body.trim().split('\n').map((l) => JSON.parse(l) as { Type: string; Action: string; timeNano: number; time: number });
    t.match(lines, [{ Type: 'daemon', Action: 'start', Actor: { ID: /^[0-9a-f-]{36}$/ }, scope: 'local' }]);
    t.match(r.body, /"timeNano":\d{19}[,}]/, 'timeNano is an exact int64');
    const none = await d.request('GET', `/events?since=0&until=${now}&filters=${encodeURIComponent('{"type":["container"]}')}`);
    t.equal(none.body, '', 'the type filter leaves nothing');
    const legacy = await d.request('GET', `/events?since=0&until=${now}&filters=${encodeURIComponent('{"type":{"daemon":true}}')}`);
    t.match(legacy.body, /"Action":"start"/, 'the pre-1.25 filter form works');
    const bad = await d.request('GET', '/events?filters=%7B%22bogus%22%3A%5B%5D%7D');
    t.equal(bad.status, 400);
    t.same(bad.json(), { message: "invalid filter 'bogus'" });
    const badJson = await d.request('GET', '/events?filters=%7Bnope');
    t.equal(badJson.status, 400);
    const badSince = await d.request('GET', '/events?since=yesterday');
    t.equal(badSince.status, 400);
    t.match(badSince.json(), { message: /invalid value for since/ });
  });

  t.test('every request is logged +job / -job', async (t) => {
    await d.request('GET', '/version');
    t.ok(d.log.lines.some((l) => /^INFO \+job system.version\(\)$/.test(l)));
    t.ok(d.log.lines.some((l) => /^INFO -job system.version\(\) = OK$/.test(l)));
  });
});

t.test('a second daemon on the same data root is refused; the engine ID persists', async (t) => {
  const dir = testDir();
  const d = await startTestDaemon({}, {}, dir);
  const id = (await d.request('GET', '/info')).json<{ ID: string }>().ID;
  await t.rejects(
    startEngine({ ...d.config, hosts: [`unix://${dir}/second.sock`] }),
    { name: 'ConflictError', kind: 'Conflict', message: `data root ${d.config.dataRoot} is in use by another berth daemon` },
  );
  t.notOk(existsSync(`${dir}/second.sock`), 'the refused daemon left no socket');
  await d.engine.shutdown();
  t.notOk(existsSync(d.socket), 'shutdown removes the socket');
  const again = await startTestDaemon({}, {}, dir);
  t.equal((await again.request('GET', '/info')).json<{ ID: string }>().ID, id, 'same ID after a restart');
  await again.close();
});

t.test('shutdown: a live events stream gets daemon shutdown, then ends', async (t) => {
  const d = await startTestDaemon();
  const stream = d.request('GET', '/events');
  await new Promise((r) => setTimeout(r, 100));
  const shut = d.engine.shutdown('test');
  const r = await stream;
  await shut;
  t.equal(r.status, 200);
  t.match(r.body, /"Type":"daemon","Action":"shutdown"/);
  t.match(d.log.lines.join('\n'), /daemon stopped/);
  await d.close();
});
