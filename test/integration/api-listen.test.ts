import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { defaultConfig } from '../../actors/config.js';
import { isLoopback, listenAll, parseHost } from '../../actors/system/api/listen.js';
import { startTestDaemon, testDir } from '../helpers/daemon.js';
import { probes } from '../helpers/probes.js';

t.test('parseHost reads dockerd -H forms', async (t) => {
  t.same(parseHost('unix:///run/x.sock'), { proto: 'unix', path: '/run/x.sock' });
  t.same(parseHost('tcp://127.0.0.1:2376'), { proto: 'tcp', host: '127.0.0.1', port: 2376 });
  t.same(parseHost('tcp://[::1]:2376'), { proto: 'tcp', host: '::1', port: 2376 });
  t.same(parseHost('tcp://:2375'), { proto: 'tcp', host: '127.0.0.1', port: 2375 });
  t.same(parseHost('fd://'), { proto: 'fd' });
  t.throws(() => parseHost('http://x'), { name: 'InvalidParameterError', message: /invalid daemon host/ });
  t.ok(isLoopback('127.0.0.2'));
  t.notOk(isLoopback('0.0.0.0'));
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

t.test('tcp without TLS is refused unless insecure, and insecure only on loopback', async (t) => {
  const base = { ...defaultConfig(), dataRoot: '/nonexistent', execRoot: '/nonexistent' };
  const port = await freePort();
  await t.rejects(listenAll({ ...base, hosts: [`tcp://127.0.0.1:${port}`] }), { name: 'InvalidParameterError', message: /without TLS/ });
  await t.rejects(listenAll({ ...base, hosts: [`tcp://0.0.0.0:${port}`], insecureTcp: true }), { name: 'InvalidParameterError', message: /only allowed on loopback/ });
  const ls = await listenAll({ ...base, hosts: [`tcp://127.0.0.1:${port}`], insecureTcp: true });
  t.equal(ls.length, 1);
  await new Promise((r) => ls[0]!.server.close(r));
});

t.test('a listener that fails closes the ones already bound', async (t) => {
  const dir = testDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const blocker = net.createServer().listen(port, '127.0.0.1');
  t.teardown(() => blocker.close());
  await new Promise((r) => blocker.once('listening', r));
  const sock = path.join(dir, 'a.sock');
  await t.rejects(listenAll({ ...defaultConfig(), hosts: [`unix://${sock}`, `tcp://127.0.0.1:${port}`], insecureTcp: true }), { name: 'SystemError', message: /EADDRINUSE/ });
  const again = await listenAll({ ...defaultConfig(), hosts: [`unix://${sock}`] });
  t.pass('the unix socket was released');
  await new Promise((r) => again[0]!.server.close(r));
});

function makeCerts(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=berth-test-ca');
  for (const who of ['server', 'client']) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}-key.pem`, '-out', `${who}.csr`, '-subj', `/CN=${who === 'server' ? '127.0.0.1' : 'client'}`);
    execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=${who === 'server' ? 'serverAuth' : 'clientAuth'}\\n' > ${who}.ext`], { cwd: dir });
    ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${who}.pem`, '-days', '1', '-extfile', `${who}.ext`);
  }
}

t.test('--tlsverify: a client with a CA-signed cert is served, one without is refused', { skip: probes.openssl() }, async (t) => {
  const certs = testDir();
  t.teardown(() => rmSync(certs, { recursive: true, force: true }));
  makeCerts(certs);
  const port = await freePort();
  const f = (n: string) => path.join(certs, n);
  const d = await startTestDaemon({ hosts: [`tcp://127.0.0.1:${port}`], tls: { ca: f('ca.pem'), cert: f('server.pem'), key: f('server-key.pem'), verify: true } });
  t.teardown(() => d.close());
  const get = (withCert: boolean) =>
    new Promise<number>((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port, path: '/_ping', ca: readFileSync(f('ca.pem')), ...(withCert && { cert: readFileSync(f('client.pem')), key: readFileSync(f('client-key.pem')) }) },
        (res) => (res.resume(), resolve(res.statusCode ?? 0)),
      );
      req.on('error', reject);
      req.end();
    });
  t.equal(await get(true), 200);
  await t.rejects(get(false), 'no client certificate, no service');
});
