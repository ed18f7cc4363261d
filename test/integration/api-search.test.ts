/**
 * GET /images/search: a `registry/term` searches that registry's catalog; limits and filters as
 * dockerd checks them; a bare term searches Docker Hub, and when its index cannot be reached the
 * answer is Unavailable with dockerd's words (`Get "<url>": dial tcp …`). The Hub test on the
 * daemon asks the system's resolver for index.docker.io, so it runs only with BERTH_TEST_DOCKER_HUB=1
 * (DESIGN: traffic only to loopback); the client-level test gives the same message on loopback.
 */
import t from 'tap';
import { RegistryClient } from '../../actors/services/registry/client.js';
import { splitSearchTerm } from '../../actors/image/search.js';
import { startTestDaemon } from '../helpers/daemon.js';
import { busyboxImage, pushImage } from '../helpers/images.js';
import { freePort, registryProbe, startRegistry } from '../helpers/registry.js';

t.test('search terms name a registry as dockerd splits them', async (t) => {
  t.same(splitSearchTerm('busybox'), { registry: 'docker.io', term: 'busybox' });
  t.same(splitSearchTerm('library/busybox'), { registry: 'docker.io', term: 'library/busybox' });
  t.same(splitSearchTerm('127.0.0.1:5000/bus'), { registry: '127.0.0.1:5000', term: 'bus' });
  t.same(splitSearchTerm('localhost/x'), { registry: 'localhost', term: 'x' });
  t.same(splitSearchTerm('registry.example.com/team/app'), { registry: 'registry.example.com', term: 'team/app' });
});

t.test('search a private registry by its catalog', { skip: registryProbe() }, async (t) => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  const img = await busyboxImage();
  for (const repo of ['busybox', 'team/busybox-app', 'other']) await pushImage(reg, repo, 'latest', img);
  const search = (q: string) => d.request('GET', `/images/search?${q}`);

  const r = await search(`term=${encodeURIComponent(`${reg.host}/busy`)}`);
  t.equal(r.status, 200);
  t.same(r.json(), [
    { name: `${reg.host}/busybox`, description: '', star_count: 0, is_official: false, is_automated: false },
    { name: `${reg.host}/team/busybox-app`, description: '', star_count: 0, is_official: false, is_automated: false },
  ]);
  t.equal((await search(`term=${encodeURIComponent(`${reg.host}/`)}&limit=2`)).json<unknown[]>().length, 2, 'limit');
  t.same((await search(`term=${reg.host}/busy&filters=${encodeURIComponent('{"stars":["1"]}')}`)).json(), [], 'stars filter');
  t.same((await search(`term=${reg.host}/busy&filters=${encodeURIComponent('{"is-official":["true"]}')}`)).json(), [], 'is-official filter');
  const bad = await search(`term=${reg.host}/busy&filters=${encodeURIComponent('{"stars":["many"]}')}`);
  t.same([bad.status, bad.json()], [400, { message: "invalid filter 'stars=many'" }]);
  t.same((await search(`term=x&limit=101`)).json(), { message: 'limit 101 is outside the range of [1, 100]' });
  t.equal((await search(`term=x&filters=${encodeURIComponent('{"color":["red"]}')}`)).status, 400);
});

t.test('Docker Hub out of reach: Unavailable, in dockerd\'s words (client, on loopback)', async (t) => {
  const port = await freePort();
  const client = new RegistryClient({ indexServer: `https://127.0.0.1:${port}` });
  t.teardown(() => client.close());
  const err = await client.search('docker.io', 'busybox').then(() => null, (e: Error & { kind?: string }) => e);
  t.equal(err?.kind, 'Unavailable');
  t.equal(err?.message, `Get "https://127.0.0.1:${port}/v1/search?q=busybox&n=25": dial tcp 127.0.0.1:${port}: connect: connection refused`);
});

t.test('a bare term on the daemon searches Docker Hub', { skip: process.env.BERTH_TEST_DOCKER_HUB ? false : 'asks the resolver for index.docker.io: set BERTH_TEST_DOCKER_HUB=1' }, async (t) => {
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());
  const r = await d.request('GET', '/images/search?term=busybox');
  if (r.status === 200) return t.pass('Docker Hub answered: this machine reaches it');
  t.equal(r.status, 503);
  t.match(r.json(), { message: /^Get "https:\/\/index\.docker\.io\/v1\/search\?q=busybox&n=25": dial tcp/ });
});
