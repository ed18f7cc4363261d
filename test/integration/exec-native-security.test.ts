/**
 * The native runtime's isolation, each with a test: the helper runs from a sealed memfd (the
 * container cannot rewrite it through /proc/PID/exe), no fd of the shim reaches the container and
 * a cwd through one is refused, mount targets never follow a symlink out of the rootfs, and the
 * spec's identity (capabilities, no_new_privs, user, groups, umask), read-only root, masked and
 * read-only paths, terminal, user namespace and seccomp profile all take effect.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';

import type { ContainerState, ExecProcess, ExitStatus, ProcessStreams } from '../../drivers/exec/backend.js';
import { helperPath } from '../../drivers/exec/helper-path.js';
import { readJsonLog } from '../../drivers/exec/jsonlog.js';
import type { OciSpec } from '../../drivers/exec/spec.js';
import { startDriver, text, type DriverHandle } from '../conformance/execdriver.js';
import { nativeFixture, nativeMissing, type NativeFixture } from '../conformance/execdriver-native-fixture.js';

const skip = nativeMissing();
let seq = 0;

/** Runs a spec to its end; returns the exit and the logged output by stream. */
async function runOut(d: DriverHandle, fx: NativeFixture, spec: OciSpec) {
  const id = `sec${++seq}`;
  const paths = fx.paths(id);
  await d.call({ type: 'exec.create', id, spec, paths });
  const started = await d.call({ type: 'exec.start', id }).then(() => null, (e: Error) => e);
  const exit = await d.call<ExitStatus>({ type: 'exec.wait', id });
  const log = readJsonLog(paths.log);
  await d.call({ type: 'exec.clean', id });
  const of = (s: string) => log.filter((e) => e.stream === s).map((e) => e.log).join('');
  return { exit, startError: started, out: of('stdout'), err: of('stderr') };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

t.test('native isolation', { skip }, async (t) => {
  const fx = nativeFixture(t);
  const d = startDriver(fx.backend());
  t.teardown(() => d.stop());

  t.test('the helper runs from a sealed memfd that cannot be written (CVE-2019-5736)', async (t) => {
    const before = sha256(helperPath());
    const paths = fx.paths('memfd');
    const st = await d.call<ContainerState>({ type: 'exec.create', id: 'memfd', spec: fx.spec('sleep 30'), paths });
    const { shimPid } = JSON.parse(readFileSync(path.join(paths.state, 'shim.json'), 'utf8')) as { shimPid: number };
    t.equal(statSync(path.join(paths.state, 'shim.sock')).mode & 0o777, 0o600, 'only root may connect to the shim');
    t.equal(statSync(paths.state).mode & 0o777, 0o700, 'the state dir is private');
    t.equal(statSync(paths.log).mode & 0o777, 0o640, 'the log is not world-readable');
    for (const [who, pid] of [['shim', shimPid], ['created init', st.pid]] as const) {
      t.match(readlinkSync(`/proc/${pid}/exe`), /^\/memfd:berth-helper/, `${who} runs from the memfd`);
      t.throws(() => closeSync(openSync(`/proc/${pid}/exe`, 'r+')), `${who}: its exe cannot be opened for writing`);
    }
    await d.call({ type: 'exec.kill', id: 'memfd', signal: 'KILL' });
    await d.call({ type: 'exec.wait', id: 'memfd' });
    await d.call({ type: 'exec.clean', id: 'memfd' });
    t.equal(sha256(helperPath()), before, 'the helper on disk is unchanged');
  });

  t.test('no fd leaks into the container, and a cwd through one is refused (CVE-2024-21626)', async (t) => {
    const r = await runOut(d, fx, fx.spec('ls /proc/self/fd'));
    t.equal(r.out, '0\n1\n2\n3\n', 'stdio and the fd ls reads the directory with');
    for (const fd of [3, 4, 5, 6, 7, 8]) {
      const spec = fx.spec('pwd');
      spec.process.cwd = `/proc/self/fd/${fd}`;
      const bad = await runOut(d, fx, spec);
      t.ok(bad.startError, `cwd /proc/self/fd/${fd} refused: ${bad.startError?.message}`);
    }
  });

  t.test('mount targets resolve inside the rootfs, whatever its symlinks say', async (t) => {
    const unique = `berth-escape-${process.pid}`;
    const hostDir = path.join(fx.root, 'volume');
    mkdirSync(hostDir);
    writeFileSync(path.join(hostDir, 'marker'), 'inside\n');
    symlinkSync('/../../../../../../../tmp', path.join(fx.rootfs, 'evil'));
    const spec = fx.spec(`cat /tmp/${unique}/marker`);
    spec.mounts!.push({ destination: `/evil/${unique}`, type: 'bind', source: hostDir, options: ['rbind', 'ro'] });
    const r = await runOut(d, fx, spec);
    t.equal(r.out, 'inside\n', 'the bind landed on the rootfs /tmp');
    t.notOk(existsSync(`/tmp/${unique}`), 'nothing was created on the host /tmp');
    t.ok(existsSync(path.join(fx.rootfs, 'tmp', unique)), 'the target was made inside the rootfs');
  });

  t.test('files the engine writes are bound in: /etc/hostname, /etc/hosts read-only', async (t) => {
    const files = path.join(fx.root, 'files');
    mkdirSync(files);
    writeFileSync(path.join(files, 'hostname'), 'berthbox\n');
    writeFileSync(path.join(files, 'hosts'), '127.0.0.1 localhost berthbox\n');
    const spec = fx.spec('cat /etc/hostname /etc/hosts; echo x >> /etc/hosts; exit 0');
    spec.mounts!.push(
      { destination: '/etc/hostname', type: 'bind', source: path.join(files, 'hostname'), options: ['rbind', 'rprivate'] },
      { destination: '/etc/hosts', type: 'bind', source: path.join(files, 'hosts'), options: ['rbind', 'ro', 'rprivate'] },
    );
    const r = await runOut(d, fx, spec);
    t.equal(r.out, 'berthbox\n127.0.0.1 localhost berthbox\n');
    t.match(r.err, /\/etc\/hosts: Read-only file system/);
    t.equal(readFileSync(path.join(files, 'hosts'), 'utf8'), '127.0.0.1 localhost berthbox\n', 'the host file is untouched');
  });

  t.test('capabilities and no_new_privs', async (t) => {
    const spec = fx.spec('grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status');
    const r = await runOut(d, fx, spec);
    t.match(r.out, /CapEff:\s+00000000a80425fb/, 'Docker default effective set');
    t.match(r.out, /CapBnd:\s+00000000a80425fb/, 'and bounding set');
    t.match(r.out, /NoNewPrivs:\s+0/);
    spec.process.noNewPrivileges = true;
    spec.process.capabilities = { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] };
    const r2 = await runOut(d, fx, spec);
    t.match(r2.out, /CapEff:\s+0000000000000020/, 'only CAP_KILL');
    t.match(r2.out, /NoNewPrivs:\s+1/);
  });

  t.test('user, groups and umask', async (t) => {
    const spec = fx.spec('id; umask; touch /tmp/f-$$ 2>&1 || true');
    spec.process.user = { uid: 1000, gid: 1001, additionalGids: [5], umask: 0o077 };
    const r = await runOut(d, fx, spec);
    t.match(r.out, /^uid=1000 gid=1001 groups=5/, r.out);
    t.match(r.out, /\n0077\n/);
  });

  t.test('read-only root, masked and read-only paths', async (t) => {
    const spec = fx.spec('touch /x; wc -c < /proc/interrupts; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/domainname; exit 0');
    spec.root.readonly = true;
    const r = await runOut(d, fx, spec);
    t.match(r.err, /touch: \/x: Read-only file system/, 'the root is read-only');
    t.same(r.out.split('\n').slice(0, 2), ['0', '0'], '/proc/interrupts (a file) and /sys/firmware (a dir) are masked');
    t.match(r.err, /\/proc\/sys\/kernel\/domainname: Read-only file system/, '/proc/sys is read-only');
  });

  t.test('a terminal: the container sees its own pty, and resize reaches it', async (t) => {
    const spec = fx.spec('tty; stty size');
    spec.process.terminal = true;
    const paths = fx.paths('tty');
    await d.call({ type: 'exec.create', id: 'tty', spec, paths });
    const s = await d.call<ProcessStreams>({ type: 'exec.attach', id: 'tty' });
    t.equal(s.tty, true);
    await d.call({ type: 'exec.resize', id: 'tty', rows: 30, cols: 100 });
    await d.call({ type: 'exec.start', id: 'tty' });
    const out = await text(s.stdout);
    t.match(out, /^\/dev\/pts\/\d+\r\n30 100\r\n$/, JSON.stringify(out));
    t.equal((await d.call<ExitStatus>({ type: 'exec.wait', id: 'tty' })).exitCode, 0);
    await d.call({ type: 'exec.clean', id: 'tty' });
  });

  t.test('a user namespace maps root in the container to an unprivileged host uid', async (t) => {
    const spec = fx.spec('id; cat /proc/self/uid_map; echo pid=$$');
    spec.linux!.namespaces!.push({ type: 'user' });
    spec.linux!.uidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
    spec.linux!.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
    const r = await runOut(d, fx, spec);
    t.equal(r.startError, null, `started: ${r.startError?.message ?? ''} ${r.err}`);
    t.match(r.out, /^uid=0\(root\) gid=0\(root\)/, 'root inside');
    t.match(r.out, /^\s*0\s+200000\s+65536$/m, 'mapped to 200000 outside');
    t.match(r.out, /pid=1/);
    const paths = fx.paths('usernsexec');
    const long = fx.spec('while :; do sleep 1; done');
    long.linux = { ...long.linux, namespaces: [...spec.linux!.namespaces!], uidMappings: spec.linux!.uidMappings, gidMappings: spec.linux!.gidMappings };
    await d.call({ type: 'exec.create', id: 'usernsexec', spec: long, paths });
    await d.call({ type: 'exec.start', id: 'usernsexec' });
    const p = await d.call<ExecProcess>({ type: 'exec.exec', id: 'usernsexec', process: { args: ['sh', '-c', 'id -u; head -1 /proc/self/uid_map'], cwd: '/' } });
    p.stdin?.end();
    t.match(await text(p.stdout), /^0\n\s*0\s+200000\s+65536\n$/, 'exec joins the user namespace too');
    t.equal((await p.exit).exitCode, 0);
    await d.call({ type: 'exec.kill', id: 'usernsexec', signal: 'KILL' });
    await d.call({ type: 'exec.wait', id: 'usernsexec' });
    await d.call({ type: 'exec.clean', id: 'usernsexec' });
  });

  t.test('exec with a terminal gets its own pty', async (t) => {
    const paths = fx.paths('exectty');
    await d.call({ type: 'exec.create', id: 'exectty', spec: fx.spec('while :; do sleep 1; done'), paths });
    await d.call({ type: 'exec.start', id: 'exectty' });
    const p = await d.call<ExecProcess>({ type: 'exec.exec', id: 'exectty', process: { args: ['sh', '-c', 'read go; tty; stty size; exit 4'], terminal: true, cwd: '/' } });
    t.equal(p.tty, true);
    await d.call({ type: 'exec.resizeExec', id: 'exectty', pid: p.pid, rows: 12, cols: 34 });
    p.stdin!.write('go\n');
    const [out, exit] = await Promise.all([text(p.stdout), p.exit]);
    t.match(out, /\/dev\/pts\/\d+\r\n12 34\r\n$/, JSON.stringify(out));
    t.equal(exit.exitCode, 4);
    await d.call({ type: 'exec.kill', id: 'exectty', signal: 'KILL' });
    await d.call({ type: 'exec.wait', id: 'exectty' });
    await d.call({ type: 'exec.clean', id: 'exectty' });
  });

  t.test('seccomp: the default profile is on, and a custom one applies errno and argument rules', async (t) => {
    const r = await runOut(d, fx, fx.spec('grep -E "^Seccomp(_filters)?:" /proc/self/status'));
    t.match(r.out, /Seccomp:\s+2\nSeccomp_filters:\s+2/, 'filter mode, two stacked filters');
    const spec = fx.spec('touch /tmp/f; mkdir /tmp/d; rmdir /tmp; chmod 777 /tmp/f; chmod 755 /tmp/f && echo chmod-755-ok; exit 0');
    spec.linux!.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' },
        { names: ['rmdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
        { names: ['chmod'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 0o777, valueTwo: 0o777, op: 'SCMP_CMP_MASKED_EQ' }] },
        { names: ['fchmodat'], action: 'SCMP_ACT_ERRNO', args: [{ index: 2, value: 0o777, valueTwo: 0o777, op: 'SCMP_CMP_MASKED_EQ' }] },
      ],
    };
    const c = await runOut(d, fx, spec);
    t.match(c.err, /mkdir.*Operation not permitted/, 'mkdir refused with EPERM');
    t.match(c.err, /rmdir.*Function not implemented/, 'rmdir refused with the rule\'s errno');
    t.match(c.err, /chmod.*Operation not permitted/, 'chmod 777 refused by its argument');
    t.match(c.out, /chmod-755-ok/, 'chmod 755 allowed');
  });

  t.test('exec processes get the container\'s seccomp profile', async (t) => {
    const paths = fx.paths('execsc');
    await d.call({ type: 'exec.create', id: 'execsc', spec: fx.spec('while :; do sleep 1; done'), paths });
    await d.call({ type: 'exec.start', id: 'execsc' });
    const p = await d.call<ExecProcess>({ type: 'exec.exec', id: 'execsc', process: { args: ['grep', '^Seccomp:', '/proc/self/status'], cwd: '/' } });
    p.stdin?.end();
    t.match(await text(p.stdout), /Seccomp:\s+2/);
    await p.exit;
    await d.call({ type: 'exec.kill', id: 'execsc', signal: 'KILL' });
    await d.call({ type: 'exec.wait', id: 'execsc' });
    await d.call({ type: 'exec.clean', id: 'execsc' });
  });

  t.test('a failed create names the operation and the object, and leaves no state', async (t) => {
    const spec = fx.spec('true');
    spec.mounts!.push({ destination: '/weird', type: 'nosuchfs', source: 'none' });
    const paths = fx.paths('badmount');
    const err = await d.call({ type: 'exec.create', id: 'badmount', spec, paths }).then(() => null, (e: Error) => e);
    t.equal(err?.message, 'mount none to /weird: No such device');
    t.notOk(existsSync(paths.state), 'no state dir');
    const bad = fx.spec('true');
    bad.process.capabilities = { bounding: ['CAP_FLY'] };
    const err2 = await d.call({ type: 'exec.create', id: 'badcap', spec: bad, paths: fx.paths('badcap') }).then(() => null, (e: Error) => e);
    t.equal(err2?.message, 'capability CAP_FLY: unknown capability');
  });
});
