import { readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { Client } from '../../cli/client.js';
import { ConnectError } from '../../cli/errors.js';
import { parseHost } from '../../cli/host.js';
import { loadTls } from '../../cli/tls.js';
import { makeTestCerts } from '../helpers/cli-certs.js';
import { probes } from '../helpers/probes.js';

t.test('the client over TLS, on loopback', { skip: probes.openssl() }, async (t) => {
  const certs = makeTestCerts();
  t.teardown(() => rmSync(certs.dir, { recursive: true, force: true }));
  // A daemon like `berth daemon --tlsverify`: it demands a client certificate signed by its CA.
  const server = https.createServer(
    { key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert), ca: readFileSync(certs.ca), requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      res.setHeader('Api-Version', '1.46');
      if (req.url === '/_ping') return res.end('OK');
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ url: req.url }));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const host = parseHost(`tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, true);

  t.test('--tlsverify with CA and client certificate: served', async (t) => {
    const client = new Client(host, await loadTls({ tlsverify: true, tlscacert: certs.ca, tlscert: certs.clientCert, tlskey: certs.clientKey }));
    t.teardown(() => client.close());
    t.same(await client.get('/version'), { url: '/v1.46/version' });
  });

  t.test('--tlsverify without the CA: the daemon\'s certificate is not trusted', async (t) => {
    const client = new Client(host, await loadTls({ tlsverify: true, tlscert: certs.clientCert, tlskey: certs.clientKey }));
    t.teardown(() => client.close());
    const err = await client.get('/version').catch((e: unknown) => e);
    t.type(err, ConnectError);
    t.match((err as Error).message, /^error during connect: tcp:\/\/127\.0\.0\.1:\d+: .*certificate/);
  });

  t.test('--tls without verification still needs the client certificate this daemon demands', async (t) => {
    const unverified = new Client(host, await loadTls({ tls: true, tlscert: certs.clientCert, tlskey: certs.clientKey }));
    t.teardown(() => unverified.close());
    t.same(await unverified.get('/info'), { url: '/v1.46/info' }, 'no CA needed: the daemon is not verified');
    const anonymous = new Client(host, await loadTls({ tls: true }));
    t.teardown(() => anonymous.close());
    t.type(await anonymous.get('/info').catch((e: unknown) => e), ConnectError, 'refused without a client certificate');
  });
});
