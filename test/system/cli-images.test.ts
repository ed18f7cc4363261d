import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berthRunner, dockerRunner, routeProbe, runBinary, type CliRunner } from '../helpers/cli-images.js';
import { BERTH_BIN } from '../helpers/cli-run.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { dockerCliPath } from '../helpers/docker-cli.js';
import { busyboxImage, multiLayerImage, pushImage } from '../helpers/images.js';
import { registryProbe, startRegistry, type RegistryServer } from '../helpers/registry.js';
import { rawRequest } from '../helpers/registry-push.js';
import { busyboxRootfsBuffer } from '../helpers/rootfs-tar.js';

// `node cli/bin/berth.js` against an in-process daemon and a real registry; where the docker CLI is
// installed, the same commands through it must print the same thing.
process.env.TZ = 'UTC'; // both CLIs print local times; make them agree whatever the machine's zone
// Some 40 runs of the CLI, each a fresh node process (about half a second), and real pulls.
t.setTimeout(240_000);

let reg: RegistryServer;
let d: TestDaemon;
let dir: string;
let berth: CliRunner;
let docker: CliRunner | undefined;
const short = (digest: string): string => digest.slice('sha256:'.length, 'sha256:'.length + 12);

const registrySkip = registryProbe();
if (!registrySkip) {
  reg = await startRegistry();
  await pushImage(reg, 'busybox', 'latest', await busyboxImage());
  await pushImage(reg, 'multi', 'v1', await multiLayerImage());
  d = await startTestDaemon({ storageDriver: 'vfs' });
  dir = mkdtempSync(join(tmpdir(), 'berth-cli-images-'));
  berth = berthRunner(d.socket, join(dir, 'berth'));
  const path = dockerCliPath();
  docker = path ? dockerRunner(path, d.socket, join(dir, 'docker')) : undefined;
}
t.teardown(async () => {
  await d?.close();
  await reg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Why a part must skip: no registry, or a route another change has not added to the daemon yet. */
const needs = async (...routes: [string, string][]): Promise<false | string> => {
  if (registrySkip) return registrySkip;
  for (const [method, path] of routes) {
    const why = await routeProbe(d.socket, method, path);
    if (why) return why;
  }
  return false;
};

/**
 * Runs the same arguments through both CLIs and checks they print the same (no-op without docker).
 * `anyRowOrder`: docker orders the rows of an image's several repositories as a Go map iterates,
 * that is randomly, so lines are compared as sets there.
 */
async function sameAsDocker(t: Test, args: string[], anyRowOrder = false): Promise<void> {
  const ours = await berth(args);
  t.equal(ours.code, 0, `berth ${args.join(' ')}: ${ours.stderr}`);
  if (!docker) return;
  const theirs = await docker(args);
  const shown = (text: string): string => (anyRowOrder ? text.split('\n').sort().join('\n') : text);
  t.equal(shown(ours.stdout), shown(theirs.stdout), `berth ${args.join(' ')} prints what docker prints`);
}

t.test('pull, images, tag, inspect, history, rmi, import', { skip: registrySkip }, async (t) => {
  const busybox = await busyboxImage();
  const layer = short(busybox.layers[0]!.digest);
  const pull = await berth(['pull', `${reg.host}/busybox`]);
  t.equal(pull.code, 0, pull.stderr);
  t.equal(pull.stdout, [
    'Using default tag: latest',
    'latest: Pulling from busybox',
    `${layer}: Pulling fs layer`,
    `${layer}: Verifying Checksum`,
    `${layer}: Download complete`,
    `${layer}: Pull complete`,
    `Digest: ${busybox.manifest.digest}`,
    `Status: Downloaded newer image for ${reg.host}/busybox:latest`,
    `${reg.host}/busybox:latest`,
    '',
  ].join('\n'), 'non-TTY: plain status lines as docker prints them, no progress bars');
  const again = await berth(['pull', '-q', `${reg.host}/busybox:latest`]);
  t.equal(again.stdout, `${reg.host}/busybox:latest\n`);

  const missing = await berth(['pull', `${reg.host}/nope:v1`]);
  t.equal(missing.code, 1, 'an error in the stream exits 1, as docker pull does');
  t.match(missing.stderr, /^Error response from daemon: .*nope.*not found/);

  if (docker) {
    const ours = await berth(['pull', `${reg.host}/multi:v1`]);
    await berth(['rmi', `${reg.host}/multi:v1`]);
    const theirs = await docker(['pull', `${reg.host}/multi:v1`]);
    t.equal(ours.stdout, theirs.stdout, 'pull of a 3-layer image prints what docker prints');
  } else {
    t.equal((await berth(['pull', `${reg.host}/multi:v1`])).code, 0);
  }

  t.equal((await berth(['tag', `${reg.host}/busybox`, 'bb:1'])).code, 0);
  t.equal((await berth(['image', 'tag', `${reg.host}/busybox:latest`, 'localhost:5000/bb:2'])).code, 0);
  const names = await berth(['images', '--format', '{{.Repository}}:{{.Tag}}']);
  t.same(names.stdout.trim().split('\n').sort(), [`${reg.host}/busybox:latest`, `${reg.host}/multi:v1`, 'bb:1', 'localhost:5000/bb:2'].sort());
  t.match((await berth(['images'])).stdout, /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\n/);
  await sameAsDocker(t, ['images', '--digests'], true);
  await sameAsDocker(t, ['image', 'ls', '--format', 'json', 'bb'], true);
  await sameAsDocker(t, ['images', '-q', '--no-trunc']);

  const cmd = await berth(['image', 'inspect', '--format', '{{json .Config.Cmd}}', 'bb:1']);
  t.equal(cmd.stdout, '["sh"]\n');
  await sameAsDocker(t, ['image', 'inspect', 'bb:1']);
  await sameAsDocker(t, ['inspect', '-f', '{{.Id}} {{.Os}} {{.Architecture}}', 'bb:1', `${reg.host}/multi:v1`]);
  const nothing = await berth(['inspect', 'nothing-here']);
  t.same([nothing.code, nothing.stdout, nothing.stderr], [1, '[]\n', 'Error: No such object: nothing-here\n']);

  const history = await berth(['history', `${reg.host}/multi:v1`]);
  t.match(history.stdout, /^IMAGE +CREATED +CREATED BY +SIZE +COMMENT\n[0-9a-f]{12} +\d+ \w+ ago +CMD \["sh"\] +0B +\n<missing> /);
  await sameAsDocker(t, ['history', `${reg.host}/multi:v1`]);
  await sameAsDocker(t, ['history', '--no-trunc', '-H=false', `${reg.host}/multi:v1`]);

  const tar = join(dir, 'rootfs.tar');
  writeFileSync(tar, await busyboxRootfsBuffer());
  const imported = await berth(['import', '-c', 'CMD ["sh"]', '-m', 'from berth', tar, 'imp:1']);
  t.match(imported.stdout, /^sha256:[0-9a-f]{64}\n$/, imported.stderr);
  t.equal((await berth(['history', '--format', '{{.Comment}}', 'imp:1'])).stdout, 'from berth\n');
  const piped = await berth(['import', '-'], readFileSync(tar));
  t.match(piped.stdout, /^sha256:[0-9a-f]{64}\n$/, 'a tarball on stdin');

  const rmi = await berth(['rmi', 'bb:1', 'imp:1', 'nope:1']);
  t.equal(rmi.code, 1, 'as docker rmi');
  t.match(rmi.stdout, /^Untagged: bb:1\nUntagged: imp:1\nDeleted: sha256:[0-9a-f]{64}\n/);
  t.equal(rmi.stderr, 'Error response from daemon: No such image: nope:1\n');
  const prune = await berth(['image', 'prune', '-f']);
  t.match(prune.stdout, /^Deleted Images:\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: \S+B\n$/, 'the untagged stdin import was dangling');
});

t.test('save and load round trip', { skip: await needs(['GET', '/images/get?names=berth-probe-none'], ['POST', '/images/load?quiet=1']) }, async (t) => {
  const file = join(dir, 'busybox.tar');
  const save = await berth(['save', '-o', file, `${reg.host}/busybox:latest`]);
  t.equal(save.code, 0, save.stderr);
  const piped = await runBinary(process.execPath, [BERTH_BIN, 'save', `${reg.host}/busybox:latest`], { BERTH_HOST: `unix://${d.socket}` });
  t.ok(piped.stdout.length > 1024, 'save to a pipe writes the tar on stdout');
  if (docker) {
    const theirs = await runBinary(dockerCliPath()!, ['save', `${reg.host}/busybox:latest`], { DOCKER_HOST: `unix://${d.socket}` });
    t.equal(sha256(piped.stdout), sha256(theirs.stdout), 'the same bytes as docker save');
  }
  t.equal((await berth(['rmi', `${reg.host}/busybox:latest`, `localhost:5000/bb:2`])).code, 0);
  const load = await berth(['load', '-i', file]);
  t.equal(load.code, 0, load.stderr);
  t.equal(load.stdout, `Loaded image: ${reg.host}/busybox:latest\n`);
  t.equal((await berth(['image', 'inspect', '-f', '{{json .Config.Cmd}}', `${reg.host}/busybox:latest`])).stdout, '["sh"]\n');
  await berth(['rmi', `${reg.host}/busybox:latest`]);
  const fromStdin = await berth(['load', '-q'], piped.stdout);
  t.equal(fromStdin.stdout, `Loaded image: ${reg.host}/busybox:latest\n`, fromStdin.stderr);
});

t.test('push to the registry', { skip: await needs(['POST', '/images/berth-probe-none/push']) }, async (t) => {
  await berth(['pull', '-q', `${reg.host}/busybox`]);
  t.equal((await berth(['tag', `${reg.host}/busybox`, `${reg.host}/pushed:v1`])).code, 0);
  const push = await berth(['push', `${reg.host}/pushed:v1`]);
  t.equal(push.code, 0, push.stderr);
  t.match(push.stdout, new RegExp(`^The push refers to repository \\[${reg.host}/pushed\\]\\n[\\s\\S]*v1: digest: sha256:[0-9a-f]{64} size: \\d+\\n$`));
  const tags = await rawRequest('GET', `${reg.url}/v2/pushed/tags/list`);
  t.same(JSON.parse(tags.body.toString()).tags, ['v1'], 'the registry has the tag');
});

t.test("search a registry's catalog", { skip: await needs(['GET', '/images/search?term=berth-probe']) }, async (t) => {
  const found = await berth(['search', `${reg.host}/busy`]);
  t.equal(found.code, 0, found.stderr);
  t.match(found.stdout, /^NAME +DESCRIPTION +STARS +OFFICIAL\n(.*\n)*\S*busybox /);
  await sameAsDocker(t, ['search', '--format', '{{.Name}}|{{.StarCount}}|{{.IsOfficial}}', `${reg.host}/busy`]);
});

t.test('login to a registry with htpasswd, then pull what needs it', { skip: await needs(['POST', '/auth']) }, async (t) => {
  const locked = await startRegistry({ htpasswd: { me: 's3cret' } });
  t.teardown(() => locked.stop());
  await pushImage(locked, 'private', 'v1', await busyboxImage());
  const denied = await berth(['pull', `${locked.host}/private:v1`]);
  t.equal(denied.code, 1, 'no credentials yet');
  const login = await berth(['login', '-u', 'me', '--password-stdin', locked.host], 's3cret\n');
  t.equal(login.code, 0, login.stderr);
  t.equal(login.stdout, 'Login Succeeded\n');
  const pulled = await berth(['pull', '-q', `${locked.host}/private:v1`]);
  t.equal(pulled.code, 0, pulled.stderr);
  t.equal((await berth(['logout', locked.host])).stdout, `Removing login credentials for ${locked.host}\n`);
  const wrong = await berth(['login', '-u', 'me', '-p', 'wrong', locked.host]);
  t.equal(wrong.code, 1, 'as docker login');
  t.match(wrong.stderr, /^WARNING! Using --password via the CLI is insecure\. Use --password-stdin\.\nError response from daemon: /);
});

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
