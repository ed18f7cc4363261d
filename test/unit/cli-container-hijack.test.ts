import t from 'tap';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { DaemonError } from '../../cli/errors.js';
import { HijackClient, type Hijacked } from '../../cli/hijack.js';
import { parseHost } from '../../cli/host.js';
import { loadTls } from '../../cli/tls.js';
import { makeTestCerts } from '../helpers/cli-certs.js';
import { probes } from '../helpers/probes.js';

/** A daemon's hijack: 101, then it answers every line of input in upper case, and ends when the input does. */
function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  if (req.url?.includes('gone')) return void socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 37\r\n\r\n{"message":"No such container: gone"}');
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nX-Path: ${req.url}\r\n\r\n`);
  socket.write(`hello ${req.headers.upgrade} ${head.toString()}\n`);
  socket.on('data', (c: Buffer) => socket.write(c.toString().toUpperCase()));
  socket.on('end', () => socket.end('bye\n'));
}

function plain(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'Api-Version': '1.47' }).end('OK');
}

/** Writes `input`, half-closes, and reads the stream to its end. */
async function converse(h: Hijacked, input: string): Promise<string> {
  h.input?.end(input);
  let text = '';
  for await (const chunk of h.output as AsyncIterable<Buffer>) text += chunk.toString();
  return text;
}

t.test('hijack over a unix socket: the 101, a half-close, the rest of the output', async (t) => {
  const server = http.createServer(plain).on('upgrade', upgrade);
  const path = `/tmp/berth-hijack-${process.pid}.sock`;
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const client = new HijackClient(parseHost(`unix://${path}`));
  t.teardown(() => client.close());
  const h = await client.hijack('/exec/e1/start', { body: { Detach: false, Tty: false } });
  t.equal(await converse(h, 'one\ntwo\n'), 'hello tcp {"Detach":false,"Tty":false}\nONE\nTWO\nbye\n', 'the body went first, output kept coming after our half-close');
  const err = await client.hijack('/containers/gone/attach', { query: { stream: '1' } }).catch((e: unknown) => e);
  t.type(err, DaemonError);
  t.equal((err as DaemonError).message, 'No such container: gone');
  t.equal((err as DaemonError).status, 404);
});

t.test('a daemon answering 200 instead of 101: output only', async (t) => {
  // Like berth's daemon when it has no socket to take over: a plain streamed answer.
  const server = http.createServer(plain).on('upgrade', (_req: http.IncomingMessage, socket: Duplex) => {
    socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nContent-Length: 24\r\nConnection: close\r\n\r\nstreamed without hijack\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const client = new HijackClient(parseHost(`tcp://127.0.0.1:${(server.address() as AddressInfo).port}`));
  t.teardown(() => client.close());
  const h = await client.hijack('/containers/c1/attach');
  t.equal(h.input, null);
  t.equal(await converse(h, ''), 'streamed without hijack\n');
});

t.test('hijack over TLS with a client certificate', { skip: probes.openssl() }, async (t) => {
  const certs = makeTestCerts();
  t.teardown(() => rmSync(certs.dir, { recursive: true, force: true }));
  const server = https.createServer({ key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert), ca: readFileSync(certs.ca), requestCert: true, rejectUnauthorized: true }, plain);
  server.on('upgrade', upgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const host = parseHost(`tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, true);
  const client = new HijackClient(host, await loadTls({ tlsverify: true, tlscacert: certs.ca, tlscert: certs.clientCert, tlskey: certs.clientKey }));
  t.teardown(() => client.close());
  const h = await client.hijack('/containers/c1/attach', { query: { stdin: '1', stream: '1' } });
  t.equal(await converse(h, 'secret\n'), 'hello tcp \nSECRET\nbye\n');
});
