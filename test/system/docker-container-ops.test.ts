/**
 * The real docker CLI against berth on the native runtime: exec (output, exit codes, stdin,
 * detached, user / env / workdir), pause and unpause, rename, top, stats --no-stream, update
 * --memory, restart and container prune, read as a user reads them.
 */
import { spawn } from 'node:child_process';
import t from 'tap';
import { nativeMissing } from '../conformance/execdriver-native-fixture.js';
import { dockerCliPath } from '../helpers/docker-cli.js';
import { dockerOnTestDaemon } from '../helpers/docker-rig.js';
import { probes } from '../helpers/probes.js';

/** A failed command's exit code and output, for the cases that are meant to fail. */
interface Failed {
  code: number;
  stdout: string;
  stderr: string;
}

t.test('docker exec, pause, rename, top, stats, update, restart, prune against berth', { skip: probes.dockerCli() || nativeMissing() }, async (t) => {
  const { env, docker } = await dockerOnTestDaemon(t);
  const fails = (...args: string[]) => docker(...args).then((): Failed => ({ code: 0, stdout: '', stderr: '' }), (e: Failed) => e);
  // No network: the default bridge is shared by every daemon on the host, and nothing here needs one.
  const id = (await docker('run', '-d', '--network', 'none', '--name', 'c1', '-e', 'FROM_C=1', 'busybox', 'sleep', '1000')).stdout.trim();

  t.test('exec: output, exit codes, stdin, detached, user, env, workdir', async (t) => {
    t.equal((await docker('exec', 'c1', 'echo', 'hi')).stdout, 'hi\n');
    t.equal((await fails('exec', 'c1', 'sh', '-c', 'exit 3')).code, 3);
    const missing = await fails('exec', 'c1', 'nosuch');
    t.equal(missing.code, 127);
    t.match(missing.stdout + missing.stderr, /executable file not found in \$PATH/);
    const cat = spawn(dockerCliPath()!, ['exec', '-i', 'c1', 'cat'], { env });
    let out = '';
    cat.stdout.on('data', (c: Buffer) => (out += c.toString()));
    cat.stdin.end('through stdin\n');
    t.equal(await new Promise((resolve) => cat.on('close', resolve)), 0);
    t.equal(out, 'through stdin\n');
    t.equal((await docker('exec', '-d', 'c1', 'sh', '-c', 'echo bg > /tmp/bg')).stdout, '');
    let bg = '';
    for (let i = 0; i < 50 && bg !== 'bg\n'; i++) bg = (await docker('exec', 'c1', 'cat', '/tmp/bg').catch(() => ({ stdout: '' }))).stdout;
    t.equal(bg, 'bg\n', 'the detached exec ran');
    const who = await docker('exec', '-u', 'nobody', '-e', 'A=b', '-w', '/tmp', 'c1', 'sh', '-c', 'id -u; echo $A $FROM_C; pwd');
    t.equal(who.stdout, '65534\nb 1\n/tmp\n');
  });

  t.test('pause and unpause', async (t) => {
    await docker('pause', 'c1');
    t.match((await docker('ps', '--format', '{{.Names}} {{.Status}}')).stdout, /^c1 Up .* \(Paused\)$/m);
    t.match((await fails('exec', 'c1', 'true')).stderr, /is paused, unpause the container before exec/);
    t.match((await fails('pause', 'c1')).stderr, /is already paused/);
    await docker('unpause', 'c1');
    t.equal((await docker('inspect', '-f', '{{.State.Status}}', 'c1')).stdout.trim(), 'running');
  });

  t.test('top and stats --no-stream', async (t) => {
    const top = (await docker('top', 'c1')).stdout.trim().split('\n');
    t.match(top[0], /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    t.match(top.slice(1).join('\n'), /^root\s+\d+\s+\d+\s+\d+\s+\S+\s+\?\s+\d\d:\d\d:\d\d\s+sleep 1000$/m);
    const stats = await docker('stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}', 'c1');
    t.match(stats.stdout.trim(), /^c1 \d+\.\d\d% [\d.]+[KMG]i?B \/ [\d.]+[KMGT]i?B 1$/);
  });

  t.test('update --memory applies and shows in inspect and stats', async (t) => {
    t.equal((await docker('update', '--memory', '64m', 'c1')).stdout.trim(), 'c1');
    t.equal((await docker('inspect', '-f', '{{.HostConfig.Memory}}', 'c1')).stdout.trim(), String(64 * 1024 * 1024));
    t.match((await docker('stats', '--no-stream', '--format', '{{.MemUsage}}', 'c1')).stdout, /\/ 64MiB/);
  });

  t.test('rename and restart', async (t) => {
    await docker('run', '-d', '--network', 'none', '--name', 'c2', 'busybox', 'sleep', '1000');
    await docker('rename', 'c1', 'renamed');
    t.match((await fails('rename', 'renamed', 'c2')).stderr, /The container name "\/c2" is already in use/);
    const pid = (await docker('inspect', '-f', '{{.State.Pid}}', 'renamed')).stdout.trim();
    t.equal((await docker('restart', '-t', '0', 'renamed')).stdout.trim(), 'renamed');
    const after = await docker('inspect', '-f', '{{.State.Status}} {{.State.Pid}} {{.Name}} {{.Id}}', 'renamed');
    const [status, newPid, name, sameId] = after.stdout.trim().split(' ');
    t.same([status, name, sameId], ['running', '/renamed', id]);
    t.not(newPid, pid, 'a new process');
  });

  t.test('container prune removes the stopped ones only', async (t) => {
    await docker('run', '--network', 'none', '--name', 'done', 'busybox', 'true');
    await docker('stop', '-t', '0', 'c2');
    const pruned = (await docker('container', 'prune', '-f')).stdout;
    t.match(pruned, /^Deleted Containers:\n[0-9a-f]{64}\n[0-9a-f]{64}\n\nTotal reclaimed space: /);
    t.same((await docker('ps', '-a', '--format', '{{.Names}}')).stdout.trim().split('\n'), ['renamed']);
  });
});
