import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_CREATES, ENV_FILE, LABEL_FILE, RECORDED_ENV } from '../helpers/cli-container-bodies.js';
import { json, runBerth, startContainerFake, type ContainerFake } from '../helpers/cli-container-fake.js';

// `berth create` against a fake daemon: the same bytes as docker 28 for the same flags, and docker's refusals.
t.setTimeout(120_000);
const ID = 'c0ffee0000000000000000000000000000000000000000000000000000000002';
let fake: ContainerFake;
let dir: string;

t.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-cli-create-'));
  writeFileSync(join(dir, 'env.list'), ENV_FILE);
  writeFileSync(join(dir, 'labels.list'), LABEL_FILE);
  fake = await startContainerFake({ 'POST /containers/create': (res) => json(res, 201, { Id: ID, Warnings: [] }) });
});
t.teardown(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const berth = (args: string[]) => runBerth(fake.host, args, { env: { ...RECORDED_ENV, BERTH_CONFIG: dir }, cwd: dir });

t.test('create sends the bytes docker 28 sends for the same flags', async (t) => {
  for (const recorded of DOCKER_CREATES) {
    fake.seen.length = 0;
    const run = await berth(['create', ...recorded.args]);
    t.equal(run.code, 0, `create ${recorded.args.join(' ')}: ${run.stderr}`);
    t.equal(run.stdout, `${ID}\n`);
    t.equal(fake.seen[0]?.url, recorded.path.replace('/v1.47', ''));
    t.equal(fake.seen[0]?.body, recorded.body, `body of create ${recorded.args.join(' ')}`);
  }
});

t.test('bad flags never reach the daemon: exit 125 with docker\'s text', async (t) => {
  fake.seen.length = 0;
  const bad = await berth(['run', '--memory', '1x', 'busybox']);
  t.equal(bad.code, 125);
  t.equal(bad.stderr, `invalid argument "1x" for "-m, --memory" flag: invalid suffix: 'x'\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth run --help' for more information\n`);
  const unknown = await berth(['container', 'ls', '--bogus']);
  t.equal(unknown.code, 125);
  t.match(unknown.stderr, /^unknown flag: --bogus\n\nUsage: {2}berth container ls \[OPTIONS\]\n\nRun 'berth container ls --help' for more information\n$/);
  const conflict = await berth(['create', '--rm', '--restart', 'always', 'busybox']);
  t.equal(conflict.code, 125);
  t.equal(conflict.stderr, "berth: conflicting options: cannot specify both --restart and --rm\n\nRun 'berth create --help' for more information\n");
  const ports = await berth(['create', '-p', '80:80:80', 'busybox']);
  t.equal(ports.stderr, "berth: invalid IP address: 80\n\nRun 'berth create --help' for more information\n");
  t.same(fake.seen, [], 'nothing was sent');
});
