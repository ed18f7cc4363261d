/**
 * A container's filesystem as a whole over the API on the native runtime: export (the rootfs as a
 * tar), changes (dockerd's A / C / D without the runtime's own paths) and commit (a new image on top
 * of the container's, whose containers see the committed files).
 */
import t from 'tap';
import http from 'node:http';
import { extract } from 'tar-stream';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { createContainer as createOn, demux, importBusybox } from '../helpers/containers.js';
import { probes } from '../helpers/probes.js';

/** Containers without a network: the default bridge is shared by every daemon on the host, and these tests need none. */
const createContainer = (d: TestDaemon, body: Record<string, unknown>) =>
  createOn(d, { ...body, HostConfig: { NetworkMode: 'none', ...((body.HostConfig as object | undefined) ?? {}) } });

function getRaw(d: TestDaemon, p: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http.get({ socketPath: d.socket, path: p }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
}

async function entriesOf(buf: Buffer): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const x = extract();
  const done = (async () => {
    for await (const e of x) {
      const chunks: Buffer[] = [];
      for await (const c of e) chunks.push(c as Buffer);
      out.set(e.header.name, Buffer.concat(chunks).toString());
    }
  })();
  x.end(buf);
  await done;
  return out;
}

async function runToEnd(d: TestDaemon, body: Record<string, unknown>): Promise<{ id: string; code: number; out: string }> {
  const id = await createContainer(d, body);
  const start = await d.request('POST', `/containers/${id}/start`);
  if (start.status !== 204) return { id, code: -1, out: `start: ${start.status} ${start.body}` };
  const code = (await d.request('POST', `/containers/${id}/wait`)).json<{ StatusCode: number }>().StatusCode;
  const { stdout, stderr } = demux(await getRaw(d, `/containers/${id}/logs?stdout=1&stderr=1`));
  return { id, code, out: stdout + stderr };
}

type Inspect = { Id: string; Parent: string; Comment: string; Author: string; RootFS: { Layers: string[] }; Config: { Cmd: string[]; Env: string[] } };

t.test('export, changes and commit on the native runtime', { skip: probes.root() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.close());
  const busybox = await importBusybox(d);
  const work = await runToEnd(d, { Cmd: ['sh', '-c', 'echo new > /tmp/added; echo more >> /etc/passwd; rm /etc/group'] });
  t.equal(work.code, 0, work.out);

  t.test('export: the whole rootfs, the container\'s files included', async (t) => {
    const files = await entriesOf(await getRaw(d, `/containers/${work.id}/export`));
    t.equal(files.get('tmp/added'), 'new\n');
    t.match(files.get('etc/passwd'), /more\n$/);
    t.ok(files.has('bin/busybox') && files.has('bin/') && !files.has('etc/group'), 'image files, less the deleted one');
    t.notOk([...files.keys()].some((n) => n.startsWith('/') || n.startsWith('./')), 'names from the root');
  });

  t.test('changes: A, C and D, without the runtime\'s paths', async (t) => {
    const changes = (await d.request('GET', `/containers/${work.id}/changes`)).json();
    t.same(changes, [
      { Path: '/etc', Kind: 0 },
      { Path: '/etc/group', Kind: 2 },
      { Path: '/etc/passwd', Kind: 0 },
      { Path: '/tmp', Kind: 0 },
      { Path: '/tmp/added', Kind: 1 },
    ]);
    const fresh = await runToEnd(d, { Cmd: ['true'] });
    t.same((await d.request('GET', `/containers/${fresh.id}/changes`)).json(), [], 'a container that wrote nothing has no changes');
    await d.request('DELETE', `/containers/${fresh.id}`);
  });

  t.test('commit: a child image whose containers see the committed files', async (t) => {
    const changes = ['CMD ["cat", "/tmp/added"]', 'ENV COMMITTED=yes'].map((c) => `changes=${encodeURIComponent(c)}`).join('&');
    const c = await d.request('POST', `/commit?container=${work.id}&repo=committed&tag=v1&comment=by+test&author=tester&${changes}`);
    t.equal(c.status, 201, c.body);
    const { Id } = c.json<{ Id: string }>();
    const img = (await d.request('GET', '/images/committed:v1/json')).json<Inspect>();
    const base = (await d.request('GET', `/images/${busybox}/json`)).json<Inspect>();
    t.equal(img.Id, Id);
    t.equal(img.Parent, busybox, 'its parent is the container\'s image');
    t.same(img.RootFS.Layers.slice(0, -1), base.RootFS.Layers, 'one layer on top of the image\'s');
    t.equal(img.RootFS.Layers.length, base.RootFS.Layers.length + 1);
    t.same([img.Comment, img.Author, img.Config.Cmd], ['by test', 'tester', ['cat', '/tmp/added']]);
    t.ok(img.Config.Env.includes('COMMITTED=yes'));
    const run = await runToEnd(d, { Image: 'committed:v1' });
    t.same([run.code, run.out], [0, 'new\n'], 'a container of the new image sees the file');
    const gone = await runToEnd(d, { Image: 'committed:v1', Cmd: ['cat', '/etc/group'] });
    t.not(gone.code, 0, 'and not the deleted one');
    const hist = (await d.request('GET', '/images/committed:v1/history')).json<{ Comment: string }[]>();
    t.equal(hist[0]!.Comment, 'by test');
    for (const id of [run.id, gone.id]) await d.request('DELETE', `/containers/${id}`);
    t.equal((await d.request('DELETE', '/images/committed:v1')).status, 200, 'the image can go again');
  });

  t.test('commit of a running container (paused meanwhile) and of one without changes', async (t) => {
    const id = await createContainer(d, { Cmd: ['sh', '-c', 'echo live > /live; sleep 600'] });
    await d.request('POST', `/containers/${id}/start`);
    await new Promise((r) => setTimeout(r, 300));
    const c = await d.request('POST', `/commit?container=${id}`);
    t.equal(c.status, 201, c.body);
    t.match((await d.request('GET', `/containers/${id}/json`)).json(), { State: { Status: 'running', Paused: false } }, 'running again afterwards');
    const check = await runToEnd(d, { Image: c.json<{ Id: string }>().Id, Cmd: ['cat', '/live'] });
    t.equal(check.out, 'live\n');
    await d.request('DELETE', `/containers/${id}?force=1`);
    await d.request('DELETE', `/containers/${check.id}`);
    await d.request('DELETE', `/images/${c.json<{ Id: string }>().Id}`);
    const idle = await createContainer(d, { Cmd: ['true'] });
    const empty = (await d.request('POST', `/commit?container=${idle}&repo=same`)).json<{ Id: string }>();
    const img = (await d.request('GET', `/images/${empty.Id}/json`)).json<Inspect>();
    const base = (await d.request('GET', `/images/${busybox}/json`)).json<Inspect>();
    t.same(img.RootFS.Layers, base.RootFS.Layers, 'no changes: no new layer');
    await d.request('DELETE', `/containers/${idle}`);
    await d.request('DELETE', '/images/same');
    t.equal((await d.request('POST', '/commit?container=nope')).status, 404);
  });

  t.test('nothing left behind', async (t) => {
    await d.request('DELETE', `/containers/${work.id}`);
    t.same((await d.request('GET', '/containers/json?all=1')).json(), []);
    t.same((await d.request('GET', '/images/json')).json<{ Id: string }[]>().map((i) => i.Id), [busybox], 'only busybox');
  });
});
