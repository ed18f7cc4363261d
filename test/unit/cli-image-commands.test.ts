import t from 'tap';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendJson, startFakeDaemon, type FakeDaemon, type SeenRequest } from '../helpers/cli-fake-daemon.js';
import { runCli, runCliWithInput } from '../helpers/cli-run.js';

// The real binary against a fake daemon: what each image command sends, and what it prints.
// Some 30 runs, each a fresh node process: more than tap's default 30 s on a busy machine.
t.setTimeout(120_000);
const PULL_STREAM = [
  { status: 'Pulling from app', id: 'v1', progressDetail: {} },
  { status: 'Pulling fs layer', id: 'aaaaaaaaaaaa', progressDetail: {} },
  { status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 10, total: 20 }, progress: '[=>  ]  10B/20B' },
  { status: 'Pull complete', id: 'aaaaaaaaaaaa', progressDetail: {} },
  { status: 'Digest: sha256:1234' },
  { status: 'Status: Downloaded newer image for 127.0.0.1:5000/app:v1' },
];

function stream(res: http.ServerResponse, messages: object[]): void {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(messages.map((m) => `${JSON.stringify(m)}\r\n`).join(''));
}

type Route = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;
const ROUTES: Record<string, Route> = {
  'POST /images/create': (_req, res, url) => {
    if (url.searchParams.get('fromImage')?.endsWith('/missing')) return stream(res, [{ errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' }]);
    stream(res, url.searchParams.has('fromSrc') ? [{ status: 'sha256:feed' }] : PULL_STREAM);
  },
  'POST /images/127.0.0.1:5000/app/push': (_req, res) => stream(res, [{ status: 'The push refers to repository [127.0.0.1:5000/app]' }, { status: 'Pushed', id: 'aaaaaaaaaaaa', progressDetail: {} }]),
  'GET /images/json': (_req, res) => sendJson(res, 200, []),
  'DELETE /images/gone': (_req, res) => sendJson(res, 404, { message: 'No such image: gone:latest' }),
  'DELETE /images/bb:1': (_req, res) => sendJson(res, 200, [{ Untagged: 'bb:1' }, { Deleted: 'sha256:1' }]),
  'GET /images/get': (_req, res) => res.writeHead(200, { 'Content-Type': 'application/x-tar' }).end('TARBYTES'),
  'POST /images/load': (_req, res) => stream(res, [{ stream: 'Loaded image: bb:1\n' }]),
  'GET /images/search': (_req, res) => sendJson(res, 200, [{ name: 'app', description: 'an app', star_count: 3, is_official: false, is_automated: false }]),
  'POST /auth': (_req, res) => sendJson(res, 200, { Status: 'Login Succeeded', IdentityToken: '' }),
  'GET /images/bb:1/json': (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"Id":"sha256:1","RepoTags":["bb:1"],"Size":5}'),
  'POST /images/prune': (_req, res) => sendJson(res, 200, { ImagesDeleted: [{ Deleted: 'sha256:2' }], SpaceReclaimed: 2000 }),
};

let fake: FakeDaemon;
let config: string;
t.before(async () => {
  config = mkdtempSync(join(tmpdir(), 'berth-cli-config-'));
  fake = await startFakeDaemon({
    handler: (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const route = ROUTES[`${req.method} ${url.pathname.replace(/^\/v1\.47/, '')}`];
      if (route) return route(req, res, url);
      sendJson(res, 404, { message: 'page not found' });
    },
  });
});
t.teardown(async () => {
  await fake.close();
  rmSync(config, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({ BERTH_HOST: fake.host, BERTH_CONFIG: config });
const berth = (...args: string[]) => runCli(args, env());
const last = (method: string, path: string): SeenRequest | undefined => fake.requests.filter((r) => r.method === method && r.url.startsWith(`/v1.47${path}`)).at(-1);
const query = (r: SeenRequest | undefined) => new URL(r?.url ?? '/', 'http://x').searchParams;

t.test('pull: docker query and anonymous auth, plain lines off a terminal, the reference last', async (t) => {
  const run = await berth('pull', '127.0.0.1:5000/app');
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stdout, [
    'Using default tag: latest', 'v1: Pulling from app', 'aaaaaaaaaaaa: Pulling fs layer', 'aaaaaaaaaaaa: Pull complete',
    'Digest: sha256:1234', 'Status: Downloaded newer image for 127.0.0.1:5000/app:v1', '127.0.0.1:5000/app:latest', '',
  ].join('\n'));
  const seen = last('POST', '/images/create');
  t.equal(query(seen).get('fromImage'), '127.0.0.1:5000/app');
  t.equal(query(seen).get('tag'), 'latest');
  t.equal(seen?.headers['x-registry-auth'], 'e30=', 'no stored credentials: {}');
  const digest = `sha256:${'a'.repeat(64)}`;
  const quiet = await berth('image', 'pull', '-q', '--platform', 'Linux/ARM64', `busybox@${digest}`);
  t.equal(quiet.stdout, `docker.io/library/busybox@${digest}\n`);
  t.same([query(last('POST', '/images/create')).get('fromImage'), query(last('POST', '/images/create')).get('tag'), query(last('POST', '/images/create')).get('platform')], ['busybox', digest, 'linux/arm64']);
});

t.test('pull: an error in the stream is the daemon refusing, exit 1; a bad name never reaches it', async (t) => {
  const run = await berth('pull', '127.0.0.1:5000/missing:v1');
  t.equal(run.code, 1);
  t.equal(run.stderr, 'Error response from daemon: manifest unknown\n');
  const bad = await berth('pull', 'Upper/Case');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /invalid reference format/);
});

t.test('login stores docker-style credentials that pull and push then send; logout removes them', async (t) => {
  const login = await runCliWithInput(['login', '-u', 'me', '--password-stdin', '127.0.0.1:5000'], 's3cret\n', env());
  t.equal(login.code, 0, login.stderr);
  t.equal(login.stdout, 'Login Succeeded\n');
  t.same(JSON.parse(last('POST', '/auth')?.body ?? '{}'), { username: 'me', password: 's3cret', serveraddress: '127.0.0.1:5000' });
  const file = join(config, 'config.json');
  t.equal(readFileSync(file, 'utf8'), '{\n\t"auths": {\n\t\t"127.0.0.1:5000": {\n\t\t\t"auth": "bWU6czNjcmV0"\n\t\t}\n\t}\n}');
  t.equal(statSync(file).mode & 0o777, 0o600);
  await berth('pull', '127.0.0.1:5000/app:v1');
  const header = String(last('POST', '/images/create')?.headers['x-registry-auth']);
  t.same(JSON.parse(Buffer.from(header, 'base64url').toString()), { username: 'me', password: 's3cret', serveraddress: '127.0.0.1:5000' });
  const push = await berth('push', '-q', '127.0.0.1:5000/app:v1');
  t.equal(push.stdout, '127.0.0.1:5000/app:v1\n');
  t.equal(last('POST', '/images/127.0.0.1:5000/app/push')?.headers['x-registry-auth'], header);
  t.equal(query(last('POST', '/images/127.0.0.1:5000/app/push')).get('tag'), 'v1');
  const logout = await berth('logout', 'http://127.0.0.1:5000/');
  t.equal(logout.stdout, 'Removing login credentials for 127.0.0.1:5000\n');
  t.same(JSON.parse(readFileSync(file, 'utf8')), { auths: {} });
  const noTty = await berth('login', '127.0.0.1:5000');
  t.equal(noTty.code, 1);
  t.equal(noTty.stderr, 'Error: Cannot perform an interactive login from a non TTY device\n');
});

t.test('images: -a, filters and the reference argument go in the query', async (t) => {
  const run = await berth('images', '-a', '-f', 'dangling=false', 'busybox');
  t.equal(run.stdout, 'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n');
  t.equal(query(last('GET', '/images/json')).get('all'), '1');
  t.same(JSON.parse(query(last('GET', '/images/json')).get('filters') ?? '{}'), { dangling: ['false'], reference: ['busybox'] });
});

t.test('rmi: every name is tried; -f forgives only missing images', async (t) => {
  const run = await berth('rmi', 'gone', 'bb:1');
  t.equal(run.stdout, 'Untagged: bb:1\nDeleted: sha256:1\n');
  t.equal(run.stderr, 'Error response from daemon: No such image: gone:latest\n');
  t.equal(run.code, 1, 'as docker rmi');
  const forced = await berth('image', 'rm', '-f', '--no-prune', 'gone');
  t.equal(forced.code, 0);
  t.equal(forced.stderr, 'Error response from daemon: No such image: gone:latest\n');
  t.same([query(last('DELETE', '/images/gone')).get('force'), query(last('DELETE', '/images/gone')).get('noprune')], ['1', '1']);
});

t.test('save -o writes the tar under its name only once complete; load and import send the tar as the body', async (t) => {
  const out = join(config, 'images.tar');
  const save = await berth('save', '-o', out, 'bb:1', 'app:2');
  t.equal(save.code, 0, save.stderr);
  t.equal(readFileSync(out, 'utf8'), 'TARBYTES');
  t.same(query(last('GET', '/images/get')).getAll('names'), ['bb:1', 'app:2']);
  t.same(readdirSync(config).filter((name) => name.includes('.tmp')), [], 'no temporary file left');
  t.match((await berth('save', '-o', '/nonexistent/dir/x.tar', 'bb:1')).stderr, /directory "\/nonexistent\/dir" does not exist/);
  writeFileSync(out, 'TARDATA');
  const load = await berth('load', '-i', out);
  t.equal(load.stdout, 'Loaded image: bb:1\n');
  t.equal(last('POST', '/images/load')?.body, 'TARDATA');
  t.equal(query(last('POST', '/images/load')).get('quiet'), '1', 'stdout is not a terminal: quiet');
  t.equal(last('POST', '/images/load')?.headers['content-type'], 'application/x-tar');
  const imported = await runCliWithInput(['import', '-c', 'CMD ["sh"]', '-c', 'ENV A=1', '-m', 'hello', '-', 'app:3'], 'ROOTFS', env());
  t.equal(imported.stdout, 'sha256:feed\n');
  const seen = last('POST', '/images/create');
  t.equal(seen?.body, 'ROOTFS');
  t.same([query(seen).get('fromSrc'), query(seen).get('repo'), query(seen).get('message'), query(seen).getAll('changes')], ['-', 'app:3', 'hello', ['CMD ["sh"]', 'ENV A=1']]);
  t.equal((await berth('import', '/nonexistent.tar')).stderr, 'open /nonexistent.tar: no such file or directory\n');
});

t.test('search: the searched registry credentials, limit and filters; docker table', async (t) => {
  const run = await berth('search', '--limit', '5', '-f', 'stars=2', '127.0.0.1:5000/app');
  t.equal(run.stdout, 'NAME      DESCRIPTION   STARS     OFFICIAL\napp       an app        3         \n');
  const seen = last('GET', '/images/search');
  t.same([query(seen).get('term'), query(seen).get('limit'), query(seen).get('filters')], ['127.0.0.1:5000/app', '5', '{"stars":["2"]}']);
  t.equal(seen?.headers['x-registry-auth'], 'e30=');
});

t.test('inspect: containers first, then images; no such object is the CLI saying so', async (t) => {
  const found = await berth('inspect', '-f', '{{.Id}} {{.Size}}', 'bb:1');
  t.equal(found.stdout, 'sha256:1 5\n');
  t.ok(last('GET', '/containers/bb:1/json'), 'a container was looked for first');
  const missing = await berth('inspect', 'nothing');
  t.equal(missing.stdout, '[]\n');
  t.equal(missing.stderr, 'Error: No such object: nothing\n');
  t.equal(missing.code, 1);
  const image = await berth('image', 'inspect', 'bb:1');
  t.equal(image.stdout, '[\n    {\n        "Id": "sha256:1",\n        "RepoTags": [\n            "bb:1"\n        ],\n        "Size": 5\n    }\n]\n');
});

t.test('image prune: asks first, "n" changes nothing; -a -f prunes every unused image', async (t) => {
  const before = fake.requests.filter((r) => r.url.includes('/images/prune')).length;
  const no = await runCliWithInput(['image', 'prune'], 'n\n', env());
  t.equal(no.code, 0);
  t.equal(no.stdout, 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ');
  t.equal(fake.requests.filter((r) => r.url.includes('/images/prune')).length, before, 'nothing asked of the daemon');
  const yes = await berth('image', 'prune', '-a', '-f', '--filter', 'until=24h');
  t.equal(yes.stdout, 'Deleted Images:\ndeleted: sha256:2\n\nTotal reclaimed space: 2kB\n');
  t.same(JSON.parse(query(last('POST', '/images/prune')).get('filters') ?? '{}'), { until: ['24h'], dangling: ['false'] });
});
