import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Client, errorMessage, pickApiVersion } from '../../cli/client.js';
import { ConnectError, DaemonError } from '../../cli/errors.js';
import { parseHost } from '../../cli/host.js';
import { ping, sendJson, startFakeDaemon, type FakeDaemonOptions } from '../helpers/cli-fake-daemon.js';

/** A fake daemon plus a client on it, both torn down with the test. */
async function setup(t: { teardown(fn: () => unknown): void }, options: FakeDaemonOptions) {
  const fake = await startFakeDaemon(options);
  const client = new Client(parseHost(fake.host));
  t.teardown(async () => {
    client.close();
    await fake.close();
  });
  return { fake, client };
}

const echoUrl: FakeDaemonOptions['handler'] = (req, res, body) => sendJson(res, 200, { url: req.url, method: req.method, body });

t.test('pickApiVersion follows the docker CLI', async (t) => {
  t.equal(pickApiVersion(200, '1.41'), '1.41', 'an older daemon wins');
  t.equal(pickApiVersion(200, '1.50'), '1.47', 'a newer daemon gets our max');
  t.equal(pickApiVersion(200, '1.47'), '1.47');
  t.equal(pickApiVersion(200, undefined), '1.24', 'a 2xx without the header means an old daemon');
  t.equal(pickApiVersion(500, '1.41'), '1.41', 'the header counts even on an error');
  t.equal(pickApiVersion(500, undefined), '1.47', 'a failed ping says nothing: use our own');
  t.equal(pickApiVersion(200, 'banana'), '1.24', 'a malformed header is no header');
});

t.test('negotiation picks min(ours, the daemon\'s) and prefixes paths with it', async (t) => {
  const { fake, client } = await setup(t, { apiVersion: '1.43', handler: echoUrl });
  t.equal(await client.apiVersion(), '1.43');
  const answer = await client.get<{ url: string }>('/info');
  t.equal(answer.url, '/v1.43/info');
  await client.get('/version');
  t.same(fake.requests.map((r) => `${r.method} ${r.url}`), ['HEAD /_ping', 'GET /v1.43/info', 'GET /v1.43/version'], 'one ping per client');
});

t.test('a newer daemon is spoken to in 1.47', async (t) => {
  const { client } = await setup(t, { apiVersion: '1.51', handler: echoUrl });
  t.equal((await client.get<{ url: string }>('/version')).url, '/v1.47/version');
});

t.test('HEAD /_ping refused with 405: ping again with GET', async (t) => {
  const { fake, client } = await setup(t, {
    ping: (req, res) => (req.method === 'HEAD' ? res.writeHead(405).end() : ping(res, '1.44')),
    handler: echoUrl,
  });
  t.equal(await client.apiVersion(), '1.44');
  t.same(fake.requests.map((r) => r.method), ['HEAD', 'GET']);
});

t.test('query and JSON body encoding', async (t) => {
  const { client } = await setup(t, { handler: echoUrl });
  const got = await client.get<{ url: string }>('/events', { since: '10', until: undefined, filters: '{"type":["container"]}' });
  t.equal(got.url, '/v1.47/events?since=10&filters=%7B%22type%22%3A%5B%22container%22%5D%7D', 'undefined values left out');
  const posted = await client.post<{ method: string; body: string }>('/containers/create', { Image: 'busybox' }, { name: 'x' });
  t.same(posted, { url: '/v1.47/containers/create?name=x', method: 'POST', body: '{"Image":"busybox"}' });
});

t.test('an empty 204 answer is undefined', async (t) => {
  const { client } = await setup(t, { handler: (_req, res) => res.writeHead(204).end() });
  t.equal(await client.post('/containers/x/start'), undefined);
});

t.test('an error answer becomes a DaemonError with the body\'s message', async (t) => {
  const { client } = await setup(t, { handler: (_req, res) => sendJson(res, 404, { message: 'No such container: nope' }) });
  const err = await client.get('/containers/nope/json').catch((e: unknown) => e);
  t.type(err, DaemonError);
  t.match(err, { status: 404, message: 'No such container: nope' });
});

t.test('error bodies that are not ErrorResponse still give a message', async (t) => {
  t.equal(errorMessage(502, '<html>bad gateway</html>\n'), '<html>bad gateway</html>');
  t.equal(errorMessage(500, ''), '500 Internal Server Error');
  t.equal(errorMessage(500, '{"error":"x"}'), '{"error":"x"}');
  t.equal(errorMessage(409, '{"message":"Conflict. The name is in use"}'), 'Conflict. The name is in use');
});

t.test('no daemon: the clear docker-like message', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const missing = new Client(parseHost(`unix://${dir}/none.sock`));
  const err = await missing.get('/version').catch((e: unknown) => e);
  t.type(err, ConnectError);
  t.equal((err as Error).message, `Cannot connect to the berth daemon at unix://${dir}/none.sock. Is the berth daemon running?`);
  // A path that exists but where nothing listens: connection refused, same message.
  await writeFile(join(dir, 'stale.sock'), '');
  const stale = new Client(parseHost(`unix://${dir}/stale.sock`));
  t.match(await stale.apiVersion().catch((e: unknown) => e), { name: 'ConnectError', message: /^Cannot connect to the berth daemon at unix:\/\/.*stale\.sock\. Is the berth daemon running\?$/ });
});

t.test('lines() splits a chunked stream into lines, whatever the chunk boundaries', async (t) => {
  const { client } = await setup(t, {
    handler: (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"a":1}\n{"b"');
      setTimeout(() => res.write(':2}\n\n{"c":"é'), 10);
      setTimeout(() => res.end('"}'), 20);
    },
  });
  const seen: string[] = [];
  for await (const line of client.lines('/events')) seen.push(line);
  t.same(seen, ['{"a":1}', '{"b":2}', '{"c":"é"}'], 'blank lines skipped, the unterminated last line kept');
});

t.test('lines() on an error answer throws the DaemonError', async (t) => {
  const { client } = await setup(t, { handler: (_req, res) => sendJson(res, 400, { message: 'invalid filter "bogus"' }) });
  const err = await (async () => {
    for await (const line of client.lines('/events')) t.fail(`unexpected line ${line}`);
  })().catch((e: unknown) => e);
  t.match(err, { name: 'DaemonError', status: 400, message: 'invalid filter "bogus"' });
});

t.test('aborting a stream ends it quietly', async (t) => {
  const { client } = await setup(t, {
    handler: (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"n":1}\n'); // and never end: an events stream without --until
    },
  });
  const abort = new AbortController();
  const seen: string[] = [];
  for await (const line of client.lines('/events', {}, abort.signal)) {
    seen.push(line);
    abort.abort();
  }
  t.same(seen, ['{"n":1}']);
});
