import t from 'tap';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { startTestDaemon } from '../helpers/daemon.js';
import { busyboxRootfsBuffer } from '../helpers/rootfs-tar.js';

t.test('images: import, list, inspect, history, tag, delete, prune', async (t) => {
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  const tar = await busyboxRootfsBuffer();
  const imp = await d.request('POST', `/v1.47/images/create?fromSrc=-&repo=bb&tag=1&message=hello&changes=${encodeURIComponent('CMD ["sh"]')}&changes=${encodeURIComponent('ENV A=b')}`, { body: tar, headers: { 'content-type': 'application/x-tar' } });
  t.equal(imp.status, 200);
  const id = (JSON.parse(imp.body.trim()) as { status: string }).status;
  t.match(id, /^sha256:[0-9a-f]{64}$/);

  const list = (await d.request('GET', '/images/json')).json<{ Id: string; RepoTags: string[]; Size: number }[]>();
  t.match(list, [{ Id: id, RepoTags: ['bb:1'] }]);
  t.ok(list[0]!.Size > 1_000_000, 'size counts busybox');

  const inspect = (await d.request('GET', '/images/bb:1/json')).json<{ Id: string; Config: { Cmd: string[]; Env: string[] }; RootFS: { Layers: string[] }; Os: string; GraphDriver: { Name: string } }>();
  t.equal(inspect.Id, id);
  t.same(inspect.Config.Cmd, ['sh']);
  t.same(inspect.Config.Env, ['A=b']);
  t.equal(inspect.RootFS.Layers.length, 1);
  t.equal(inspect.GraphDriver.Name, 'vfs');
  t.equal((await d.request('GET', `/images/${id.slice(7, 19)}/json`)).status, 200, 'by short ID');
  t.equal((await d.request('GET', `/images/${id}/json`)).status, 200, 'by full ID');
  const missing = await d.request('GET', '/images/nope:1/json');
  t.equal(missing.status, 404);
  t.same(missing.json(), { message: 'No such image: nope:1' });

  const history = (await d.request('GET', '/images/bb:1/history')).json<{ Id: string; Comment: string; Tags: string[]; Size: number }[]>();
  t.match(history, [{ Id: id, Comment: 'hello', Tags: ['bb:1'] }]);

  t.equal((await d.request('POST', '/images/bb:1/tag?repo=127.0.0.1:5000/bb&tag=two')).status, 201);
  t.equal((await d.request('POST', '/images/bb:1/tag?repo=BAD')).status, 400, 'uppercase repository names are refused');
  t.equal((await d.request('POST', '/images/bb:1/tag')).status, 400, 'repo is required');
  const tags = (await d.request('GET', '/images/json')).json<{ RepoTags: string[] }[]>()[0]!.RepoTags.sort();
  t.same(tags, ['127.0.0.1:5000/bb:two', 'bb:1']);

  const byId = await d.request('DELETE', `/images/${id.slice(7, 19)}`);
  t.equal(byId.status, 409, 'an ID with two tags needs force');
  t.match(byId.json(), { message: /must be forced\) - image is referenced in multiple repositories/ });
  t.same((await d.request('DELETE', '/images/bb:1')).json(), [{ Untagged: 'bb:1' }], 'untag only while another tag remains');
  t.same((await d.request('DELETE', '/images/127.0.0.1:5000/bb:two')).json(), [{ Untagged: '127.0.0.1:5000/bb:two' }, { Deleted: id }]);
  t.same((await d.request('GET', '/images/json')).json(), []);
  t.same(readdirSync(path.join(d.config.dataRoot, 'vfs')), [], 'the layer tree is gone');

  const again = await d.request('POST', '/images/create?fromSrc=-', { body: tar });
  const dangling = (JSON.parse(again.body.trim()) as { status: string }).status;
  t.match((await d.request('GET', '/images/json')).json(), [{ Id: dangling, RepoTags: [] }], 'an untagged import is dangling');
  const pruned = (await d.request('POST', '/images/prune')).json<{ ImagesDeleted: { Deleted?: string }[]; SpaceReclaimed: number }>();
  t.match(pruned.ImagesDeleted, [{ Deleted: dangling }]);
  t.ok(pruned.SpaceReclaimed > 0);
  t.same((await d.request('GET', '/images/json')).json(), []);

  const events = (await d.request('GET', `/events?since=0&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${encodeURIComponent('{"type":["image"]}')}`)).body;
  t.same(events.trim().split('\n').map((l) => (JSON.parse(l) as { Action: string }).Action), ['import', 'tag', 'untag', 'untag', 'delete', 'import', 'delete', 'prune']);
});

t.test('images: a broken tarball leaves nothing behind', async (t) => {
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  const tar = await busyboxRootfsBuffer();
  const r = await d.request('POST', '/images/create?fromSrc=-&repo=broken', { body: Buffer.concat([tar.subarray(0, 700_000), Buffer.alloc(600, 7)]) });
  t.equal(r.status, 200, 'errors arrive in the stream');
  t.match(JSON.parse(r.body.trim()), { error: /./, errorDetail: { message: /./ } });
  t.same((await d.request('GET', '/images/json')).json(), []);
  t.same(readdirSync(path.join(d.config.dataRoot, 'vfs')), [], 'no half-applied layer');
  t.equal((await d.request('POST', '/images/create')).status, 400, 'neither fromImage nor fromSrc');
});
