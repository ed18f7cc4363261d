/**
 * Issue 3's acceptance through the exec driver on the native backend: busybox as PID 1 in a fresh
 * rootfs with its own hostname and process table, a memory limit that ends a hog with 137 and
 * OOMKilled, a pids limit that stops a fork bomb, and nothing left behind (leakcheck).
 * (Exit codes, signals, pause and reattach with intact logs are in the conformance suite.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';

import type { ContainerState, ContainerStats, ExecProcess, ExitStatus } from '../../drivers/exec/backend.js';
import { readJsonLog } from '../../drivers/exec/jsonlog.js';
import { startDriver, until, type DriverHandle } from '../conformance/execdriver.js';
import { nativeFixture, nativeMissing, type NativeFixture } from '../conformance/execdriver-native-fixture.js';

const MiB = 1024 * 1024;
const skip = nativeMissing();

async function runToExit(d: DriverHandle, fx: NativeFixture, id: string, spec: ReturnType<NativeFixture['spec']>) {
  const paths = fx.paths(id);
  await d.call({ type: 'exec.create', id, spec, paths });
  await d.call({ type: 'exec.start', id });
  const exit = await d.call<ExitStatus>({ type: 'exec.wait', id }, 60_000);
  const log = readJsonLog(paths.log);
  await d.call({ type: 'exec.clean', id });
  return { exit, log, out: log.filter((e) => e.stream === 'stdout').map((e) => e.log).join('') };
}

t.test('native acceptance', { skip }, async (t) => {
  const fx = nativeFixture(t);
  const d = startDriver(fx.backend());
  t.teardown(() => d.stop());

  t.test('PID 1, its own hostname, only its own processes', async (t) => {
    const { exit, out } = await runToExit(d, fx, 'pid1', fx.spec('echo pid=$$; hostname; ps; exit 0'));
    t.equal(exit.exitCode, 0);
    const lines = out.trim().split('\n');
    t.equal(lines[0], 'pid=1', 'the shell is PID 1');
    t.equal(lines[1], 'berthbox', 'the spec hostname');
    const procs = lines.slice(3).map((l) => l.trim().split(/\s+/));
    t.equal(procs.length, 2, `ps lists only the shell and itself: ${lines.slice(2).join(' | ')}`);
    t.same(procs.map((p) => p[0]), ['1', String(procs[1]![0])], 'the shell is 1');
    t.ok(procs.every((p) => Number(p[0]) < 10), 'all pids are of the container namespace');
  });

  t.test('a memory hog ends with 137 and OOMKilled', async (t) => {
    const spec = fx.specWith('x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; done', { memory: 32 * MiB, memorySwap: 32 * MiB });
    const { exit } = await runToExit(d, fx, 'hog', spec);
    t.same([exit.exitCode, exit.signal, exit.oomKilled], [137, 9, true]);
  });

  t.test('a pids limit stops a fork bomb', async (t) => {
    // The subshell takes the failed fork (ash gives up on it) so PID 1 lives on to be measured.
    const bomb = '(i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done); echo spawned; while :; do sleep 1; done';
    const spec = fx.specWith(bomb, { pidsLimit: 12 });
    const paths = fx.paths('bomb');
    await d.call({ type: 'exec.create', id: 'bomb', spec, paths });
    await d.call({ type: 'exec.start', id: 'bomb' });
    await until(() => readJsonLog(paths.log).some((e) => e.log.includes('spawned')), 20_000, 'the loop to end');
    const stats = await d.call<ContainerStats>({ type: 'exec.stats', id: 'bomb' });
    t.ok(stats.pids !== null && stats.pids <= 12 && stats.pids >= 10, `pids stop at the limit: ${stats.pids}`);
    t.ok(readJsonLog(paths.log).some((e) => e.stream === 'stderr' && /fork/i.test(e.log)), 'forks were refused');
    await d.call({ type: 'exec.kill', id: 'bomb', signal: 'KILL' });
    t.equal((await d.call<ExitStatus>({ type: 'exec.wait', id: 'bomb' })).exitCode, 137);
    await d.call({ type: 'exec.clean', id: 'bomb' });
  });

  t.test("the container sees its own cgroups, read-only", async (t) => {
    const spec = fx.specWith('cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; touch /sys/fs/cgroup/x; exit 0', { memory: 48 * MiB, pidsLimit: 77 });
    const { out, log } = await runToExit(d, fx, 'cgview', spec);
    t.same(out.trim().split('\n'), [String(48 * MiB), '77'], 'its own limits');
    t.ok(log.some((e) => e.stream === 'stderr' && /Read-only file system/.test(e.log)), 'read-only');
  });

  t.test('stats read the container cgroup', async (t) => {
    const paths = fx.paths('stats');
    await d.call({ type: 'exec.create', id: 'stats', spec: fx.specWith('while :; do sleep 1; done', { memory: 64 * MiB }), paths });
    await d.call({ type: 'exec.start', id: 'stats' });
    const s = await d.call<ContainerStats>({ type: 'exec.stats', id: 'stats' });
    t.ok((s.memoryUsage ?? 0) > 0, `memory usage ${s.memoryUsage}`);
    t.equal(s.memoryLimit, 64 * MiB);
    t.ok((s.pids ?? 0) >= 1, `pids ${s.pids}`);
    await d.call({ type: 'exec.kill', id: 'stats', signal: 'KILL' });
    await d.call({ type: 'exec.wait', id: 'stats' });
    await d.call({ type: 'exec.clean', id: 'stats' });
  });

  t.test('the container outlives the process that started it; a new one reattaches', async (t) => {
    const paths = fx.paths('daemon');
    const spec = fx.spec('echo one; while [ ! -e /go-daemon ]; do sleep 0.2; done; echo two; while :; do sleep 1; done');
    // A separate Node process stands for the daemon: it creates and starts, then exits.
    const native = new URL('../../drivers/exec/native.js', import.meta.url).href;
    const script = `const { NativeBackend } = await import(${JSON.stringify(native)});
      const b = new NativeBackend(); const [spec, paths] = JSON.parse(process.argv[1]);
      await b.create('daemon', spec, paths); await b.start('daemon');`;
    execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify([spec, paths])], { stdio: 'inherit' });
    await until(() => readJsonLog(paths.log).length >= 1, 10_000, 'the first line');
    const st = await d.call<ContainerState>({ type: 'exec.reattach', id: 'daemon', paths });
    t.equal(st.status, 'running', 'running after its daemon exited');
    const p = await d.call<ExecProcess>({ type: 'exec.exec', id: 'daemon', process: { args: ['touch', '/go-daemon'], cwd: '/' } });
    p.stdin?.end();
    t.equal((await p.exit).exitCode, 0);
    await until(() => readJsonLog(paths.log).length >= 2, 10_000, 'the second line');
    await d.call({ type: 'exec.kill', id: 'daemon', signal: 'KILL' });
    t.equal((await d.call<ExitStatus>({ type: 'exec.wait', id: 'daemon' })).exitCode, 137);
    t.same(readJsonLog(paths.log).map((e) => e.log), ['one\n', 'two\n'], 'the log is intact');
    await d.call({ type: 'exec.clean', id: 'daemon' });
  });

  t.test('signals sent to the shim are forwarded to the container', async (t) => {
    const paths = fx.paths('fwd');
    await d.call({ type: 'exec.create', id: 'fwd', spec: fx.spec('trap "exit 143" TERM; echo ready; while :; do sleep 0.2; done'), paths });
    await d.call({ type: 'exec.start', id: 'fwd' });
    // PID 1 ignores TERM until its trap is set.
    await until(() => readJsonLog(paths.log).length > 0, 10_000, 'the trap');
    const { shimPid } = JSON.parse(readFileSync(path.join(paths.state, 'shim.json'), 'utf8')) as { shimPid: number };
    process.kill(shimPid, 'SIGTERM');
    t.equal((await d.call<ExitStatus>({ type: 'exec.wait', id: 'fwd' })).exitCode, 143);
    await d.call({ type: 'exec.clean', id: 'fwd' });
  });

  t.test('nothing is left behind', async (t) => {
    const marker = path.basename(fx.root);
    await fx.cleanup();
    const tool = path.resolve('..', 'shared', 'tools', 'leakcheck');
    if (!existsSync(tool)) {
      t.pass('leakcheck not run', { skip: `no leakcheck at ${tool}` });
      return;
    }
    // leakcheck also lists what other tests on this machine hold (bridges, veths): only lines
    // naming this fixture's files count here (mounts, cgroups, shim processes).
    let out: string;
    try {
      out = execFileSync('bash', [tool, marker], { encoding: 'utf8' });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout);
    }
    const ours = out.split('\n').filter((l) => l.includes(marker) && !l.startsWith('=='));
    t.same(ours, [], `leakcheck ${marker}: nothing of this test left`);
  });
});
