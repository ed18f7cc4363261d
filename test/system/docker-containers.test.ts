import t from 'tap';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { request, testDir } from '../helpers/daemon.js';
import { spawnDaemon } from '../helpers/daemon-process.js';
import { dockerCliPath } from '../helpers/docker-cli.js';
import { probes } from '../helpers/probes.js';
import { busyboxRootfsBuffer } from '../helpers/rootfs-tar.js';

const run = promisify(execFile);

t.test('the docker CLI runs containers on berth; they survive kill -9 of the daemon', { skip: probes.root() || probes.dockerCli() }, async (t) => {
  const dir = testDir();
  let daemon = await spawnDaemon(dir);
  t.teardown(async () => {
    await docker('rm', '-f', 'web', 'oom').catch(() => undefined);
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const env = { ...process.env, DOCKER_HOST: `unix://${daemon.socket}`, DOCKER_CONFIG: dir };
  const docker = (...args: string[]) => run(dockerCliPath()!, args, { env, timeout: 30_000 });
  const tar = await busyboxRootfsBuffer();
  await request(daemon.socket, 'POST', `/images/create?fromSrc=-&repo=busybox&tag=latest&changes=${encodeURIComponent('CMD ["sh"]')}`, { body: tar });

  t.equal((await docker('run', '--rm', 'busybox', 'echo', 'hi')).stdout, 'hi\n', 'run --rm prints hi');
  t.equal((await docker('ps', '-aq')).stdout, '', 'and leaves nothing');
  const failed = await docker('run', 'busybox', 'sh', '-c', 'exit 3').then(() => 0, (e: { code: number }) => e.code);
  t.equal(failed, 3, 'the exit code comes back');
  await docker('container', 'prune', '-f').catch(async () => {
    for (const id of (await docker('ps', '-aq')).stdout.split('\n').filter(Boolean)) await docker('rm', id);
  });

  const oom = await docker('run', '--name', 'oom', '--memory', '16m', '--memory-swap', '16m', 'busybox', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1').then(() => 0, (e: { code: number }) => e.code);
  t.equal(oom, 137, 'a memory hog is killed');
  t.equal((await docker('inspect', '--format', '{{.State.OOMKilled}}', 'oom')).stdout.trim(), 'true');
  await docker('rm', 'oom');

  await docker('run', '-d', '--name', 'web', 'busybox', 'sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done');
  await new Promise((r) => setTimeout(r, 600));
  t.match((await docker('logs', 'web')).stdout, /^tick 0\ntick 1\n/);
  daemon.child.kill('SIGKILL');
  await daemon.stop();
  daemon = await spawnDaemon(dir);
  const ps = await docker('ps', '--format', '{{.Names}} {{.Status}}');
  t.match(ps.stdout, /^web Up /, 'still running after the daemon was killed and restarted');
  await new Promise((r) => setTimeout(r, 400));
  const logs = (await docker('logs', 'web')).stdout.split('\n').filter(Boolean);
  t.same(logs.slice(0, 3), ['tick 0', 'tick 1', 'tick 2'], 'logs intact');
  t.ok(logs.length >= 4, 'and still growing');
  await docker('stop', '-t', '1', 'web');
  await docker('rm', 'web');
  t.equal((await docker('ps', '-aq')).stdout, '');
});
