import t from 'tap';
import { collect, runCli, spawnCli } from '../helpers/cli-run.js';
import { sendJson, startFakeDaemon, type FakeDaemon } from '../helpers/cli-fake-daemon.js';
import { EVENT_LINE, INFO, VERSION } from '../helpers/cli-fixtures.js';

// The real binary against a fake daemon that speaks 1.45, so the negotiated prefix shows in every path.
let fake: FakeDaemon;
t.before(async () => {
  fake = await startFakeDaemon({
    apiVersion: '1.45',
    handler: (req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/v1.45/version') return sendJson(res, 200, VERSION);
      if (path === '/v1.45/info') return sendJson(res, 200, INFO);
      if (path === '/v1.45/events' && (req.url ?? '').includes('until=')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(`${EVENT_LINE}\n${EVENT_LINE.replace('"create"', '"start"')}\n`);
      }
      if (path === '/v1.45/events') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.write(`${EVENT_LINE}\n`); // left open, as a live stream is
      }
      sendJson(res, 500, { message: 'boom' });
    },
  });
});
t.teardown(() => fake.close());

t.test('version prints client and server, exit 0', async (t) => {
  const run = await runCli(['version', '-H', fake.host]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /^Client:\n Version: +0\.1\.0\n API version: +1\.45 \(downgraded from 1\.47\)\n/);
  t.match(run.stdout, /\nServer: berth\n Engine:\n {2}Version: +0\.1\.0\n {2}API version: +1\.47 \(minimum version 1\.24\)\n/);
  t.equal(run.stderr, '');
});

t.test('version --format: template and json; BERTH_HOST names the daemon', async (t) => {
  const template = await runCli(['version', '--format', '{{.Server.Version}} {{.Client.ApiVersion}}'], { BERTH_HOST: fake.host });
  t.equal(template.stdout, '0.1.0 1.45\n');
  const json = await runCli(['version', '--format', 'json', '-H', fake.host]);
  const parsed = JSON.parse(json.stdout) as { Client: { ApiVersion: string }; Server: { KernelVersion: string } };
  t.equal(parsed.Client.ApiVersion, '1.45');
  t.equal(parsed.Server.KernelVersion, '6.1.0-test');
});

t.test('version without a daemon: client part, the error, exit 1', async (t) => {
  const run = await runCli(['version', '-H', `${fake.host}.missing`]);
  t.equal(run.code, 1);
  t.match(run.stdout, /^Client:\n/);
  t.notMatch(run.stdout, /Server:/);
  t.equal(run.stderr, `Cannot connect to the berth daemon at ${fake.host}.missing. Is the berth daemon running?\n`);
});

t.test('info prints the server section, warnings on stderr', async (t) => {
  const run = await runCli(['info', '-H', fake.host]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, `Client:\n Version: 0.1.0\n Host: ${fake.host}\n\nServer:\n Containers: 3\n`);
  t.match(run.stdout, ' Total Memory: 15.36GiB\n');
  t.equal(run.stderr, 'WARNING: No swap limit support\n');
  const json = await runCli(['info', '--format', 'json', '-H', fake.host]);
  t.same(JSON.parse(json.stdout), INFO, 'the raw /info body');
});

t.test('events: query built from the flags, docker default lines', async (t) => {
  const run = await runCli(['events', '-H', fake.host, '--since', '1700000000', '--until', '2026-11-28T12:00:00Z', '-f', 'type=container', '-f', 'event=create']);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stdout, [
    '2026-11-28T12:00:00.123456789Z container create c0ffee (image=busybox, name=x)',
    '2026-11-28T12:00:00.123456789Z container start c0ffee (image=busybox, name=x)',
    '',
  ].join('\n'));
  const seen = fake.requests.filter((r) => r.url.startsWith('/v1.45/events')).at(-1);
  const query = new URL(seen?.url ?? '/', 'http://x').searchParams;
  t.equal(query.get('since'), '1700000000');
  t.equal(query.get('until'), '1795867200');
  t.same(JSON.parse(query.get('filters') ?? 'null'), { type: ['container'], event: ['create'] });
});

t.test('events --format json passes lines through exactly', async (t) => {
  const run = await runCli(['events', '-H', fake.host, '--until', '0', '--format', 'json']);
  t.equal(run.stdout.split('\n')[0], EVENT_LINE);
});

t.test('events ends cleanly on SIGINT', async (t) => {
  const child = spawnCli(['events', '-H', fake.host]);
  const result = collect(child);
  // Interrupt once the first event is on screen: the stream is then certainly open.
  child.stdout?.once('data', () => child.kill('SIGINT'));
  const run = await result;
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /container create c0ffee/);
});

t.test('exit codes: 1 for an unreachable daemon and for our own refusals, as docker', async (t) => {
  const refused = await runCli(['events', '-H', `${fake.host}.missing`]);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /^Cannot connect to the berth daemon at/);
  const badSince = await runCli(['events', '-H', fake.host, '--since', 'someday']);
  t.equal(badSince.code, 1);
  t.equal(badSince.stderr, 'invalid timestamp "someday": use unix seconds, an RFC 3339 date or a duration such as 10m\n');
  const badHost = await runCli(['info', '-H', 'ssh://nope']);
  t.equal(badHost.code, 1);
  t.match(badHost.stderr, /invalid host "ssh:\/\/nope"/);
});

t.test('an error answer: "Error response from daemon", exit 1 (docker reports 125 only for run and create)', async (t) => {
  const failing = await startFakeDaemon({ handler: (_req, res) => sendJson(res, 500, { message: 'boom' }) });
  t.teardown(() => failing.close());
  const run = await runCli(['events', '-H', failing.host]);
  t.equal(run.code, 1);
  t.equal(run.stderr, 'Error response from daemon: boom\n');
  const info = await runCli(['info', '--format', '{{.ID}}', '-H', failing.host]);
  t.equal(info.code, 1);
  t.equal(info.stderr, 'Error response from daemon: boom\n');
});

t.test('daemon refuses impossible flags before starting anything', async (t) => {
  const run = await runCli(['daemon', '--tlsverify', '--tlscert', '/c.pem', '--tlskey', '/k.pem', '--data-root', '/nonexistent/berth-test']);
  t.equal(run.code, 1);
  t.equal(run.stderr, 'berth daemon: --tlsverify needs --tlscacert to verify clients against\n');
  const label = await runCli(['daemon', '--label', 'oops', '--data-root', '/nonexistent/berth-test']);
  t.equal(label.code, 1);
  t.equal(label.stderr, 'berth daemon: bad label "oops": use key=value\n');
});
