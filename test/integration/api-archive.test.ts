/**
 * `docker cp` over the API on the native runtime: HEAD / GET / PUT /containers/{id}/archive on
 * stopped and running containers, into volumes, and tarballs that try to write outside the rootfs.
 */
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { extract, pack } from 'tar-stream';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { createContainer as createOn, importBusybox } from '../helpers/containers.js';
import { probes } from '../helpers/probes.js';

/** Containers without a network: the default bridge is shared by every daemon on the host, and these tests need none. */
const createContainer = (d: TestDaemon, body: Record<string, unknown>) =>
  createOn(d, { ...body, HostConfig: { NetworkMode: 'none', ...((body.HostConfig as object | undefined) ?? {}) } });

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink'; body?: string; linkname?: string; mode?: number };

/** A tarball of the given entries. */
async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) p.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644) }, e.body ?? '');
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The entries of a tarball: name → content (directories and links with an empty body). */
async function entriesOf(buf: Buffer): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const x = extract();
  const done = (async () => {
    for await (const e of x) {
      const chunks: Buffer[] = [];
      for await (const c of e) chunks.push(c as Buffer);
      out.set(e.header.name, e.header.type === 'symlink' ? `-> ${e.header.linkname}` : Buffer.concat(chunks).toString());
    }
  })();
  x.end(buf);
  await done;
  return out;
}

/** GET as bytes, with the response headers. */
function getRaw(d: TestDaemon, p: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get({ socketPath: d.socket, path: p }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

const stat = (h: http.IncomingHttpHeaders) => JSON.parse(Buffer.from(String(h['x-docker-container-path-stat']), 'base64').toString()) as { name: string; size: number; mode: number; linkTarget: string; mtime: string };
const q = (p: string) => encodeURIComponent(p);
const put = async (d: TestDaemon, id: string, p: string, body: Buffer, extra = '') => d.request('PUT', `/containers/${id}/archive?path=${q(p)}${extra}`, { body, headers: { 'content-type': 'application/x-tar' } });

t.test('docker cp over the API on the native runtime', { skip: probes.root() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.close());
  await importBusybox(d);

  t.test('HEAD: the stat header of files, directories and symlinks; 404 for a missing path', async (t) => {
    const id = await createContainer(d, { Cmd: ['true'] });
    const f = await d.request('HEAD', `/containers/${id}/archive?path=/etc/passwd`);
    t.equal(f.status, 200);
    t.match(stat(f.headers), { name: 'passwd', mode: 0o644, linkTarget: '', mtime: /^\d{4}-/ });
    t.equal(stat(f.headers).size, 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'.length);
    const dir = stat((await d.request('HEAD', `/containers/${id}/archive?path=/etc/`)).headers);
    t.equal(dir.mode, 2 ** 31 + 0o755, "a directory carries Go's ModeDir");
    const link = stat((await d.request('HEAD', `/containers/${id}/archive?path=/bin/sh`)).headers);
    t.same([link.mode, link.linkTarget], [2 ** 27 + 0o777, '/bin/busybox'], 'a symlink, its target resolved inside the container');
    const missing = await d.request('GET', `/containers/${id}/archive?path=/nope`);
    t.equal(missing.status, 404);
    t.equal(missing.json<{ message: string }>().message, `Could not find the file /nope in container ${id}`);
    await d.request('DELETE', `/containers/${id}`);
  });

  t.test('GET and PUT on a stopped container; the started container sees the copy', async (t) => {
    const id = await createContainer(d, { Cmd: ['cat', '/tmp/in/hello.txt'] });
    const etc = await getRaw(d, `/containers/${id}/archive?path=/etc`);
    t.equal(etc.headers['content-type'], 'application/x-tar');
    t.same([...(await entriesOf(etc.body)).keys()], ['etc/', 'etc/group', 'etc/passwd'], 'entries under the base name');
    t.match((await entriesOf((await getRaw(d, `/containers/${id}/archive?path=/etc/group`)).body)).get('group'), /^root:x:0:/);
    const tar = await tarOf([{ name: 'in/', type: 'directory' }, { name: 'in/hello.txt', body: 'copied in\n' }]);
    t.equal((await put(d, id, '/tmp', tar, '&noOverwriteDirNonDir=true')).status, 200);
    await d.request('POST', `/containers/${id}/start`);
    t.same((await d.request('POST', `/containers/${id}/wait`)).json(), { StatusCode: 0, Error: null }, 'cat found the file');
    t.equal((await entriesOf((await getRaw(d, `/containers/${id}/archive?path=/tmp/in/hello.txt`)).body)).get('hello.txt'), 'copied in\n');
    t.equal((await put(d, id, '/etc/passwd', tar)).status, 400, 'the target must be a directory');
    t.match((await put(d, id, '/etc/passwd', tar)).json(), { message: 'extraction point is not a directory' });
    t.equal((await put(d, id, '/nope', tar)).status, 404);
    const clash = await put(d, id, '/', await tarOf([{ name: 'etc', body: 'not a dir' }]), '&noOverwriteDirNonDir=1');
    t.equal(clash.status, 400, 'noOverwriteDirNonDir keeps a directory from being replaced by a file');
    t.equal((await getRaw(d, `/containers/${id}/archive?path=/etc/passwd`)).status, 200, 'and /etc is intact');
    await d.request('DELETE', `/containers/${id}`);
  });

  t.test('hostile tarballs write nothing outside the container', async (t) => {
    const id = await createContainer(d, { Cmd: ['true'] });
    const outside = path.join(d.config.dataRoot, 'pwned');
    const climb = await put(d, id, '/tmp', await tarOf([{ name: '../../../../../../../../' + outside.slice(1), body: 'x' }]));
    t.equal(climb.status, 400, '.. cannot climb out');
    const viaLink = await put(d, id, '/tmp', await tarOf([{ name: 'esc', type: 'symlink', linkname: path.dirname(outside) }, { name: 'esc/pwned', body: 'x' }]));
    t.equal(viaLink.status, 400, 'a symlink in the tar is not written through');
    await put(d, id, '/', await tarOf([{ name: 'hostdir', type: 'symlink', linkname: path.dirname(outside) }]));
    const intoLink = await put(d, id, '/hostdir/', await tarOf([{ name: 'pwned', body: 'x' }]));
    t.equal(intoLink.status, 404, 'an absolute symlink in the rootfs resolves inside the container, where that path does not exist');
    t.notOk(existsSync(outside), 'nothing written on the host');
    await d.request('DELETE', `/containers/${id}`);
  });

  t.test('a running container: its files, a volume, a read-only rootfs', async (t) => {
    const id = await createContainer(d, { Cmd: ['sh', '-c', 'echo made > /tmp/run.txt; sleep 600'], HostConfig: { Binds: ['cpvol:/data'] } });
    await d.request('POST', `/containers/${id}/start`);
    await new Promise((r) => setTimeout(r, 300));
    t.equal((await entriesOf((await getRaw(d, `/containers/${id}/archive?path=/tmp/run.txt`)).body)).get('run.txt'), 'made\n', 'a file the container wrote');
    t.equal((await put(d, id, '/data', await tarOf([{ name: 'v.txt', body: 'in the volume\n' }]))).status, 200);
    const volume = (await d.request('GET', '/volumes/cpvol')).json<{ Mountpoint: string }>();
    t.equal(readFileSync(path.join(volume.Mountpoint, 'v.txt'), 'utf8'), 'in the volume\n', 'written to the volume, not under it');
    t.same([...(await entriesOf((await getRaw(d, `/containers/${id}/archive?path=/data`)).body)).keys()], ['data/', 'data/v.txt'], 'read back through the volume');
    await d.request('DELETE', `/containers/${id}?force=1`);
    await d.request('DELETE', '/volumes/cpvol');
    const ro = await createContainer(d, { Cmd: ['true'], HostConfig: { ReadonlyRootfs: true } });
    const refused = await put(d, ro, '/tmp', await tarOf([{ name: 'x', body: 'x' }]));
    t.same([refused.status, refused.json()], [403, { message: 'container rootfs is marked read-only' }]);
    await d.request('DELETE', `/containers/${ro}`);
  });

  t.test('nothing left behind', async (t) => {
    t.same((await d.request('GET', '/containers/json?all=1')).json(), []);
    t.same((await d.request('GET', '/volumes')).json(), { Volumes: [], Warnings: null });
  });
});
