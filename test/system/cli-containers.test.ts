import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berthRunner, dockerRunner, routeProbe, type CliRunner } from '../helpers/cli-images.js';
import { spawnBerth } from '../helpers/cli-container-fake.js';
import { BERTH_BIN } from '../helpers/cli-run.js';
import { startTmux, tmuxProbe } from '../helpers/cli-tmux.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { dockerCliPath } from '../helpers/docker-cli.js';
import { busyboxImage, pushImage } from '../helpers/images.js';
import { probes } from '../helpers/probes.js';
import { registryProbe, startRegistry } from '../helpers/registry.js';
import { busyboxRootfsBuffer } from '../helpers/rootfs-tar.js';

// `node cli/bin/berth.js` against an in-process daemon on the native runtime: the container
// lifecycle as a user types it. Containers get no network (--network none): the default bridge is
// shared by every daemon on the host, and none of this needs it.
t.setTimeout(300_000);
process.env.TZ = 'UTC';

const rootSkip = probes.root();
let d: TestDaemon;
let dir: string;
let berth: CliRunner;
let docker: CliRunner | undefined;
let host = '';

if (!rootSkip) {
  d = await startTestDaemon();
  const imported = await d.request('POST', '/v1.47/images/create?fromSrc=-&repo=busybox&tag=latest', { body: await busyboxRootfsBuffer(), headers: { 'Content-Type': 'application/x-tar' } });
  if (imported.status !== 200) throw new Error(`importing busybox: ${imported.status} ${imported.body}`);
  dir = mkdtempSync(join(tmpdir(), 'berth-cli-containers-'));
  host = `unix://${d.socket}`;
  berth = berthRunner(d.socket, join(dir, 'berth'));
  const path = dockerCliPath();
  docker = path ? dockerRunner(path, d.socket, join(dir, 'docker')) : undefined;
}
t.teardown(async () => {
  await d?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Why a test must skip: not root, or a route another change has not added to the daemon yet. */
const needs = async (...routes: [string, string][]): Promise<false | string> => {
  if (rootSkip) return rootSkip;
  for (const [method, path] of routes) {
    const why = await routeProbe(d.socket, method, path);
    if (why) return why;
  }
  return false;
};

const RUN = ['run', '--network', 'none'];

async function containers(): Promise<{ Id: string; Names: string[]; State: string }[]> {
  return (await d.request('GET', '/v1.47/containers/json?all=1')).json();
}

async function state(name: string): Promise<{ Running: boolean; Status: string }> {
  return (await d.request('GET', `/v1.47/containers/${name}/json`)).json<{ State: { Running: boolean; Status: string } }>().State;
}

t.test('run --rm busybox echo hi prints hi and leaves no container', { skip: rootSkip }, async (t) => {
  const run = await berth([...RUN, '--rm', 'busybox', 'echo', 'hi']);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stdout, 'hi\n');
  t.equal(run.stderr, '');
  t.same(await containers(), [], 'removed before the CLI returned');
});

t.test('run exits with the container\'s status, 127 for a command that is not there', { skip: rootSkip }, async (t) => {
  const three = await berth([...RUN, '--rm', 'busybox', 'sh', '-c', 'exit 3']);
  t.equal(three.code, 3, three.stderr);
  const missing = await berth([...RUN, '--rm', 'busybox', 'nosuchcommand']);
  t.equal(missing.code, 127);
  t.match(missing.stderr, /^berth: Error response from daemon: .*executable file not found.*\n\nRun 'berth run --help' for more information\n$/);
  const piped = await berth([...RUN, '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo err >&2'], 'through stdin\n');
  t.equal(piped.code, 0, piped.stderr);
  t.equal(piped.stdout, 'through stdin\n');
  t.equal(piped.stderr, 'err\n', 'stderr demultiplexed to stderr');
  t.same(await containers(), []);
});

t.test('run pulls an image the daemon lacks, showing the pull on stderr as docker does', { skip: rootSkip || registryProbe() }, async (t) => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  await pushImage(reg, 'busybox', 'latest', await busyboxImage());
  const image = `${reg.host}/busybox`;
  const run = await berth([...RUN, '--rm', image, 'echo', 'pulled']);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stdout, 'pulled\n', 'stdout has only the container\'s output');
  const lines = run.stderr.split('\n');
  t.equal(lines[0], `Unable to find image '${image}:latest' locally`);
  t.equal(lines[1], 'latest: Pulling from busybox');
  t.equal(lines.at(-2), `Status: Downloaded newer image for ${image}:latest`);
  if (docker) {
    t.equal((await berth(['rmi', image])).code, 0);
    const theirs = await docker([...RUN, '--rm', image, 'echo', 'pulled']);
    t.equal(run.stderr, theirs.stderr, 'the same text as docker run');
  }
  t.same(await containers(), []);
});

t.test('run -d, logs -f, exec, stop, rm', { skip: await needs(['POST', '/containers/berth-probe-none/exec']) }, async (t) => {
  const script = 'echo started; trap "echo stopping; exit 0" TERM; while true; do sleep 0.1; done';
  const run = await berth([...RUN, '-d', '--name', 'web', 'busybox', 'sh', '-c', script]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /^[0-9a-f]{64}\n$/);
  const follow = spawnBerth(host, ['logs', '-f', 'web']);
  const exec = await berth(['exec', 'web', 'echo', 'from exec']);
  t.equal(exec.code, 0, exec.stderr);
  t.equal(exec.stdout, 'from exec\n');
  t.equal((await berth(['exec', 'web', 'sh', '-c', 'exit 4'])).code, 4, 'exec passes on its exit code');
  t.equal((await berth(['exec', '-i', 'web', 'cat'], 'into exec\n')).stdout, 'into exec\n');
  const ps = await berth(['ps', '--format', '{{.Names}} {{.Image}} {{.Command}} {{.State}}']);
  t.equal(ps.stdout, `web busybox ${JSON.stringify(`sh -c ${script}`.slice(0, 19) + '…')} running\n`);
  const stop = await berth(['stop', 'web']);
  t.equal(stop.stdout, 'web\n', stop.stderr);
  const logs = await follow.done;
  t.equal(logs.code, 0, logs.stderr);
  t.equal(logs.stdout, 'started\nstopping\n', 'logs -f ends when the container stops');
  t.equal((await berth(['logs', '--tail', '1', 'web'])).stdout, 'stopping\n');
  t.equal((await berth(['rm', 'web'])).stdout, 'web\n');
  t.same(await containers(), []);
});

t.test('create, start -a, wait, ps -a as docker prints it, rm', { skip: rootSkip }, async (t) => {
  const created = await berth(['create', '--network', 'none', '--name', 'once', 'busybox', 'sh', '-c', 'echo once; exit 5']);
  t.equal(created.code, 0, created.stderr);
  const start = await berth(['start', '-a', 'once']);
  t.equal(start.code, 5);
  t.equal(start.stdout, 'once\n');
  t.equal((await berth(['wait', 'once'])).stdout, '5\n');
  if (docker) {
    const format = ['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Image}} {{.Command}} {{.Names}} {{.State}} {{.Ports}}'];
    t.equal((await berth(format)).stdout, (await docker(format)).stdout, 'the same rows as docker ps');
    t.equal((await berth(['ps', '-a', '-q'])).stdout, (await docker(['ps', '-a', '-q'])).stdout);
  }
  t.equal((await berth(['rm', 'once', 'nosuch'])).code, 1, 'a missing one fails the command');
  t.same(await containers(), []);
});

const ttySkip = rootSkip || tmuxProbe();

t.test('run -it busybox sh in a terminal: raw mode, the shell answers, its size follows the terminal', {
  skip: ttySkip || (await needs(['POST', '/containers/berth-probe-none/resize'])),
}, async (t) => {
  const term = startTmux(`BERTH_HOST=${host} ${process.execPath} ${BERTH_BIN} run -it --network none --name tty1 busybox sh; echo EXIT=$?; sleep 60`, 100, 30);
  t.teardown(() => term.close());
  await term.waitFor(/^\/ #/m);
  term.send('echo $((6*7))', 'Enter');
  t.match(await term.waitFor(/^42$/m), /^42$/m);
  term.send('busybox stty size', 'Enter');
  await term.waitFor(/^30 100$/m);
  term.resize(90, 25);
  await new Promise((resolve) => setTimeout(resolve, 300));
  term.send('busybox stty size', 'Enter');
  await term.waitFor(/^25 90$/m);
  term.send('exit', 'Enter');
  t.match(await term.waitFor(/EXIT=\d+/), /EXIT=0/);
  t.equal((await state('tty1')).Status, 'exited');
  await berth(['rm', 'tty1']);
});

t.test('run -it then Ctrl-P Ctrl-Q: the CLI leaves with 0, the container keeps running', { skip: ttySkip }, async (t) => {
  const term = startTmux(`BERTH_HOST=${host} ${process.execPath} ${BERTH_BIN} run -it --network none --name tty2 busybox sh; echo EXIT=$?; sleep 60`);
  t.teardown(() => term.close());
  await term.waitFor(/^\/ #/m);
  term.send('C-p', 'C-q');
  t.match(await term.waitFor(/EXIT=\d+/), /# EXIT=0/, 'nothing printed, status 0');
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.ok((await state('tty2')).Running, 'still running after the detach');
  await berth(['rm', '-f', 'tty2']);
});
