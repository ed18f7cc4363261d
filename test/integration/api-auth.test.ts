/**
 * POST /auth (docker login) against the real registry: Basic (htpasswd) and Bearer (token server)
 * registries accept the right credentials ("Login Succeeded", an identity token from a token server,
 * which then pulls) and refuse wrong ones with 401 and dockerd's message; an open registry lets
 * anyone log in; a registry that is not there is an error that says so.
 */
import t from 'tap';
import { encodeRegistryAuth } from '../../actors/services/registry/client.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { busyboxImage, pushImage } from '../helpers/images.js';
import { freePort, registryProbe, startRegistry } from '../helpers/registry.js';

const login = (d: TestDaemon, body: Record<string, string>) => d.request('POST', '/auth', { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

t.test('login to registries', { skip: registryProbe() }, async (t) => {
  const d = await startTestDaemon({ storageDriver: 'vfs' });
  t.teardown(() => d.close());

  t.test('basic auth (htpasswd)', async (t) => {
    const reg = await startRegistry({ htpasswd: { alice: 's3cret' } });
    t.teardown(() => reg.stop());
    const ok = await login(d, { username: 'alice', password: 's3cret', serveraddress: reg.host });
    t.same([ok.status, ok.json()], [200, { Status: 'Login Succeeded' }]);
    const bad = await login(d, { username: 'alice', password: 'wrong', serveraddress: `http://${reg.host}` });
    t.same([bad.status, bad.json()], [401, { message: `login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized` }]);
  });

  t.test('token auth: an identity token that pulls', async (t) => {
    const reg = await startRegistry({ token: { users: { bob: 'hunter2' } } });
    t.teardown(() => reg.stop());
    await pushImage(reg, 'private/busybox', 'latest', await busyboxImage());
    const ok = await login(d, { username: 'bob', password: 'hunter2', serveraddress: reg.host });
    t.equal(ok.status, 200);
    const body = ok.json<{ Status: string; IdentityToken?: string }>();
    t.equal(body.Status, 'Login Succeeded');
    t.match(body.IdentityToken, /^refresh-/, 'the token server\'s refresh token is the identity token');
    const auth = encodeRegistryAuth({ identitytoken: body.IdentityToken!, serveraddress: reg.host });
    const pulled = await d.request('POST', `/images/create?fromImage=${reg.host}/private/busybox&tag=latest`, { headers: { 'X-Registry-Auth': auth } });
    t.match(pulled.body, /Downloaded newer image/, 'the identity token pulls');
    const bad = await login(d, { username: 'bob', password: 'nope', serveraddress: reg.host });
    t.equal(bad.status, 401);
    t.match(bad.json(), { message: new RegExp(`^login to ${reg.host} failed: .*unauthorized: incorrect username or password`) });
  });

  t.test('an open registry, and one that is not there', async (t) => {
    const reg = await startRegistry();
    t.teardown(() => reg.stop());
    t.same((await login(d, { serveraddress: reg.host })).json(), { Status: 'Login Succeeded' });
    const port = await freePort();
    const gone = await login(d, { username: 'x', password: 'y', serveraddress: `127.0.0.1:${port}` });
    t.equal(gone.status, 503);
    t.match(gone.json(), { message: new RegExp(`registry 127.0.0.1:${port} is unavailable`) });
    t.equal((await d.request('POST', '/auth', { body: 'not json', headers: { 'content-type': 'application/json' } })).status, 400);
  });
});
