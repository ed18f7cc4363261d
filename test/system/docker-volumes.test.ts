/**
 * The real docker CLI against berth for volumes, `docker cp` both ways, diff, export and commit, as a
 * new user would try them; and nothing left behind afterwards (containers, volumes, leakcheck).
 */
import t from 'tap';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { request, testDir } from '../helpers/daemon.js';
import { dockerCliPath } from '../helpers/docker-cli.js';
import { runCli } from '../helpers/cli-run.js';
import { probes } from '../helpers/probes.js';
import { busyboxRootfsBuffer } from '../helpers/rootfs-tar.js';
import { testNetworkFlags } from '../helpers/test-network.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * `berth daemon` on `dir`, ready once it says it listens: the daemon binds its socket before the API
 * is attached, and a request made in between is never answered (so no /_ping polling here).
 */
async function startDaemon(dir: string): Promise<{ socket: string; child: ReturnType<typeof spawn>; stop: () => Promise<void> }> {
  const socket = path.join(dir, 'berth.sock');
  const child = spawn(process.execPath, [path.join(ROOT, 'cli/bin/berth.js'), 'daemon', '-H', `unix://${socket}`, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), ...testNetworkFlags(dir)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const seen = (c: Buffer) => ((out += c.toString()), out.includes('API listen on') && resolve());
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.on('exit', () => reject(new Error(`daemon exited: ${out}`)));
  });
  return { socket, child, stop: async () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGTERM'), await exited) };
}

t.test('the docker CLI: volumes, cp, diff, export, commit on berth', { skip: probes.root() || probes.dockerCli() }, async (t) => {
  const dir = testDir();
  const daemon = await startDaemon(dir);
  const env = { ...process.env, DOCKER_HOST: `unix://${daemon.socket}`, DOCKER_CONFIG: dir };
  const docker = async (...args: string[]) => (await run(dockerCliPath()!, args, { env, timeout: 30_000 })).stdout;
  t.teardown(async () => {
    if (daemon.child.exitCode === null) await docker('rm', '-f', 'writer', 'cpbox', 'bbox').catch(() => undefined);
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const tar = await busyboxRootfsBuffer();
  await request(daemon.socket, 'POST', `/images/create?fromSrc=-&repo=busybox&tag=latest&changes=${encodeURIComponent('CMD ["sh"]')}`, { body: tar });

  t.test('a named volume keeps its data across containers', async (t) => {
    t.equal(await docker('volume', 'create', '--label', 'app=test', 'keep'), 'keep\n');
    t.match(await docker('volume', 'ls', '--format', '{{.Driver}} {{.Name}}'), /^local keep$/m);
    t.equal((await docker('volume', 'inspect', '--format', '{{.Mountpoint}} {{.Labels.app}}', 'keep')).trim(), `${path.join(dir, 'data', 'volumes', 'keep', '_data')} test`);
    await docker('run', '--network', 'none', '--name', 'writer', '-v', 'keep:/data', 'busybox', 'sh', '-c', 'echo persisted > /data/f');
    const inUse = await docker('volume', 'rm', 'keep').then(() => '', (e: { stderr: string }) => e.stderr);
    t.match(inUse, /volume is in use/, 'docker volume rm refuses a volume in use');
    await docker('rm', 'writer');
    t.equal(await docker('run', '--network', 'none', '--rm', '--mount', 'type=volume,source=keep,target=/in', 'busybox', 'cat', '/in/f'), 'persisted\n');
    t.equal(await docker('volume', 'rm', 'keep'), 'keep\n');
    t.equal(await docker('volume', 'ls', '-q'), '');
  });

  t.test('a bind mount keeps its data across containers', async (t) => {
    const host = path.join(dir, 'bind');
    mkdirSync(host);
    await docker('run', '--network', 'none', '--rm', '-v', `${host}:/b`, 'busybox', 'sh', '-c', 'echo bound > /b/f');
    t.equal(readFileSync(path.join(host, 'f'), 'utf8'), 'bound\n');
    t.equal(await docker('run', '--network', 'none', '--rm', '-v', `${host}:/b:ro`, 'busybox', 'cat', '/b/f'), 'bound\n');
  });

  t.test('docker cp both ways, diff and export', async (t) => {
    const local = mkdtempSync(path.join(dir, 'cp-'));
    writeFileSync(path.join(local, 'in.txt'), 'from the host\n');
    await docker('create', '--network', 'none', '--name', 'cpbox', 'busybox', 'cat', '/tmp/in.txt');
    await docker('cp', path.join(local, 'in.txt'), 'cpbox:/tmp/');
    await docker('start', 'cpbox');
    t.equal(await docker('wait', 'cpbox'), '0\n');
    t.equal(await docker('logs', 'cpbox'), 'from the host\n', 'the container read the copied file');
    await docker('cp', 'cpbox:/etc/passwd', path.join(local, 'passwd'));
    t.match(readFileSync(path.join(local, 'passwd'), 'utf8'), /^root:x:0:0:/, 'a file out of the container');
    await docker('cp', 'cpbox:/etc', path.join(local, 'etc'));
    t.ok(existsSync(path.join(local, 'etc', 'group')), 'a directory out of the container');
    t.match(await docker('diff', 'cpbox'), /^C \/tmp\nA \/tmp\/in.txt\n$/, 'docker diff shows the copy');
    await docker('export', '-o', path.join(local, 'rootfs.tar'), 'cpbox');
    const names = execFileSync('tar', ['-tf', path.join(local, 'rootfs.tar')], { encoding: 'utf8' }).split('\n');
    t.ok(names.includes('tmp/in.txt') && names.includes('bin/busybox'), 'the export has the container\'s files');
  });

  t.test('docker commit: the new image has the file', async (t) => {
    await docker('commit', '-m', 'copied', '-c', 'CMD ["cat", "/tmp/in.txt"]', 'cpbox', 'committed:v1');
    t.equal(await docker('run', '--network', 'none', '--rm', 'committed:v1'), 'from the host\n');
    t.match(await docker('history', '--format', '{{.Comment}}', 'committed:v1'), /^copied\n/);
    await docker('rm', 'cpbox');
    await docker('rmi', 'committed:v1');
  });

  t.test('the same with berth\'s own commands', async (t) => {
    const berth = async (...args: string[]) => {
      const r = await runCli(args, { BERTH_HOST: `unix://${daemon.socket}` });
      if (r.code !== 0) throw new Error(`berth ${args.join(' ')}: ${r.code} ${r.stderr}`);
      return r.stdout;
    };
    const local = mkdtempSync(path.join(dir, 'berth-cp-'));
    writeFileSync(path.join(local, 'in.txt'), 'berth copy\n');
    t.equal(await berth('volume', 'create', '--label', 'by=berth', 'bvol'), 'bvol\n');
    t.equal(await berth('volume', 'ls', '-q', '-f', 'label=by=berth'), 'bvol\n');
    t.match(await berth('volume', 'inspect', '-f', '{{.Driver}} {{.Scope}}', 'bvol'), /^local local\n$/);
    await docker('create', '--network', 'none', '--name', 'bbox', '-v', 'bvol:/data', 'busybox', 'true');
    await berth('cp', path.join(local, 'in.txt'), 'bbox:/data/');
    await berth('cp', local, 'bbox:/copied');
    await berth('cp', 'bbox:/data/in.txt', path.join(local, 'back.txt'));
    t.equal(readFileSync(path.join(local, 'back.txt'), 'utf8'), 'berth copy\n', 'cp both ways');
    t.equal(await berth('diff', 'bbox'), 'A /copied\nA /copied/in.txt\n', 'a created container: the copy only');
    await berth('export', '-o', path.join(local, 'fs.tar'), 'bbox');
    t.ok(execFileSync('tar', ['-tf', path.join(local, 'fs.tar')], { encoding: 'utf8' }).split('\n').includes('copied/in.txt'), 'export');
    t.match(await berth('commit', '-c', 'CMD ["cat", "/copied/in.txt"]', 'bbox', 'bcommit:1'), /^sha256:[0-9a-f]{64}\n$/);
    t.equal(await docker('run', '--network', 'none', '--rm', 'bcommit:1'), 'berth copy\n', 'the committed image has the file');
    const busy = await runCli(['volume', 'rm', 'bvol'], { BERTH_HOST: `unix://${daemon.socket}` });
    t.same([busy.code, busy.stderr.trim()], [1, `Error response from daemon: remove bvol: volume is in use - [${(await docker('inspect', '-f', '{{.Id}}', 'bbox')).trim()}]`]);
    await docker('rm', 'bbox');
    await docker('rmi', 'bcommit:1');
    t.equal(await berth('volume', 'rm', 'bvol'), 'bvol\n');
    t.equal(await berth('volume', 'prune', '-f'), 'Total reclaimed space: 0B\n');
  });

  t.test('nothing left behind', async (t) => {
    await docker('volume', 'prune', '-f');
    t.equal(await docker('ps', '-aq'), '');
    t.equal(await docker('volume', 'ls', '-q'), '');
    await daemon.stop(); // the daemon itself would show up below
    const tool = path.resolve('..', 'shared', 'tools', 'leakcheck');
    if (!existsSync(tool)) return t.pass('leakcheck not run', { skip: `no leakcheck at ${tool}` });
    let out: string;
    try {
      out = execFileSync('bash', [tool, path.basename(dir)], { encoding: 'utf8' });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout);
    }
    const ours = out.split('\n').filter((l) => l.includes(path.basename(dir)) && !l.startsWith('=='));
    t.same(ours, [], 'leakcheck: no mounts, cgroups or processes of this daemon');
  });
});
