/** Unit tests of the exec driver's pieces: framing, json-file logs, signals, cgroup files, the default spec. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';

import { checkContainerId, signalNumber, type ExecBackend } from '../../drivers/exec/backend.js';
import { cgroupProcsFiles, ownProcsFile } from '../../drivers/exec/cgroups.js';
import { DEFAULT_CAPS, defaultSpec } from '../../drivers/exec/defaults.js';
import { encodeFrame, FrameDecoder, FRAME } from '../../drivers/exec/frames.js';
import { JsonLogWriter, readJsonLog } from '../../drivers/exec/jsonlog.js';
import { kindOf, notFound } from '../../protocol/errdefs.js';
import { startDriver } from './execdriver.js';

function tmp(t: Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-execunit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('frames decode across any chunking', async (t) => {
  const wire = Buffer.concat([encodeFrame(FRAME.stdout, Buffer.from('hello')), encodeFrame(FRAME.stderr, Buffer.from('')), encodeFrame(FRAME.exit, Buffer.from('{"exitCode":3}'))]);
  t.same([...wire.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 0, 5], 'stdcopy header');
  for (const size of [1, 3, 8, wire.length]) {
    const d = new FrameDecoder();
    const frames = [];
    for (let i = 0; i < wire.length; i += size) frames.push(...d.push(wire.subarray(i, i + size)));
    t.same(frames.map((f) => [f.stream, f.payload.toString()]), [[1, 'hello'], [2, ''], [3, '{"exitCode":3}']], `chunks of ${size}`);
    t.equal(d.pending, 0);
  }
});

t.test('json-file log lines as dockerd writes them', async (t) => {
  const file = path.join(tmp(t), 'log.json');
  const w = new JsonLogWriter(file);
  w.write('stdout', Buffer.from('one\ntw'));
  w.write('stderr', Buffer.from('err\n'));
  w.write('stdout', Buffer.from('o\nrest'));
  w.flush();
  t.same(readJsonLog(file).map((e) => [e.stream, e.log]), [['stdout', 'one\n'], ['stderr', 'err\n'], ['stdout', 'two\n'], ['stdout', 'rest']]);
  t.ok(readJsonLog(file).every((e) => /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(e.time)), 'RFC 3339 times');
  w.write('stdout', Buffer.alloc(16 * 1024 + 5, 'x'));
  w.flush();
  t.same(readJsonLog(file).slice(4).map((e) => e.log.length), [16 * 1024, 5], 'long lines split at 16 KiB');
  t.same(readJsonLog(path.join(path.dirname(file), 'missing')), [], 'a missing log is empty');
});

t.test('signals by number or name', async (t) => {
  t.equal(signalNumber(9), 9);
  t.equal(signalNumber('15'), 15);
  t.equal(signalNumber('TERM'), 15);
  t.equal(signalNumber('sigkill'), 9);
  t.equal(kindOf((() => { try { signalNumber('NOPE'); } catch (e) { return e; } })()), 'InvalidParameter');
});

t.test('container ids must be one path component', async (t) => {
  t.doesNotThrow(() => checkContainerId('abc_1.2-3', 'x'));
  for (const bad of ['', '../x', 'a/b', '.hidden', 'a'.repeat(200)]) {
    let err: unknown = null;
    try {
      checkContainerId(bad, 'create');
    } catch (e) {
      err = e;
    }
    t.equal(kindOf(err), 'InvalidParameter', JSON.stringify(bad));
  }
});

t.test('cgroup.procs files: one per hierarchy, linked ones once', async (t) => {
  const v1 = tmp(t);
  for (const c of ['memory', 'pids', 'cpu,cpuacct', 'unified']) mkdirSync(path.join(v1, c, 'berth', 'x'), { recursive: true });
  for (const c of ['memory', 'pids', 'cpu,cpuacct', 'unified']) writeFileSync(path.join(v1, c, 'berth', 'x', 'cgroup.procs'), '');
  symlinkSync('cpu,cpuacct', path.join(v1, 'cpu'));
  mkdirSync(path.join(v1, 'freezer'));
  const rel = cgroupProcsFiles('berth/x', v1).map((f) => path.relative(v1, f).split('/')[0]);
  t.same(rel, ['cpu', 'memory', 'pids', 'unified'], 'cpu,cpuacct counted once, under the first name');
  const v2 = tmp(t);
  writeFileSync(path.join(v2, 'cgroup.controllers'), 'memory pids\n');
  mkdirSync(path.join(v2, 'berth', 'x'), { recursive: true });
  writeFileSync(path.join(v2, 'berth', 'x', 'cgroup.procs'), '');
  t.same(cgroupProcsFiles('berth/x', v2), [path.join(v2, 'berth', 'x', 'cgroup.procs')]);
});

t.test("this process's own cgroup.procs: a controller's hierarchy before a named one, the unified tree on v2", async (t) => {
  const v1 = tmp(t);
  const self = path.join(v1, 'self-cgroup');
  writeFileSync(self, '9:name=systemd:/svc\n8:pids:/svc\n0::/svc\n');
  for (const c of ['systemd', 'pids']) {
    mkdirSync(path.join(v1, c, 'svc'), { recursive: true });
    writeFileSync(path.join(v1, c, 'svc', 'cgroup.procs'), '');
  }
  t.equal(ownProcsFile(v1, self), path.join(v1, 'pids', 'svc', 'cgroup.procs'));
  const v2 = tmp(t);
  writeFileSync(path.join(v2, 'cgroup.controllers'), 'pids\n');
  mkdirSync(path.join(v2, 'svc'));
  writeFileSync(path.join(v2, 'svc', 'cgroup.procs'), '');
  const self2 = path.join(v2, 'self-cgroup');
  writeFileSync(self2, '0::/svc\n');
  t.equal(ownProcsFile(v2, self2), path.join(v2, 'svc', 'cgroup.procs'));
  t.equal(ownProcsFile(v2, path.join(v2, 'missing')), null, 'no /proc/self/cgroup: none');
});

t.test("Docker's default spec", async (t) => {
  const s = defaultSpec({ rootfs: '/r', args: ['sh'] });
  t.equal(DEFAULT_CAPS.length, 14);
  t.same(s.process.capabilities?.bounding, DEFAULT_CAPS);
  t.same(s.linux?.namespaces?.map((n) => n.type), ['pid', 'network', 'mount', 'ipc', 'uts']);
  t.ok(s.mounts?.some((m) => m.destination === '/dev/pts' && m.options?.includes('newinstance')));
  t.ok(s.linux?.maskedPaths?.includes('/proc/kcore'));
  t.ok(s.linux?.readonlyPaths?.includes('/proc/sys'));
});

t.test('the driver answers each request and stops its finished children', async (t) => {
  const calls: string[] = [];
  const backend = new Proxy({} as ExecBackend, {
    get: (_, method: string) => async (id: string) => {
      calls.push(`${method} ${id}`);
      if (id === 'missing') throw notFound(`No such container: ${id}`);
      if (id === 'boom') throw new Error('plain failure');
      return method === 'state' ? { id, pid: 1, status: 'running', exit: null } : undefined;
    },
  });
  const d = startDriver(backend);
  t.teardown(() => d.stop());
  t.same(await d.call({ type: 'exec.state', id: 'a' }), { id: 'a', pid: 1, status: 'running', exit: null });
  await d.call({ type: 'exec.kill', id: 'a', signal: 'TERM' });
  const e1 = await d.call({ type: 'exec.start', id: 'missing' }).then(() => null, (e: unknown) => e);
  t.equal(kindOf(e1), 'NotFound', 'a BerthError keeps its kind');
  const e2 = await d.call({ type: 'exec.start', id: 'boom' }).then(() => null, (e: unknown) => e);
  t.same([kindOf(e2), (e2 as Error).message], ['System', 'plain failure'], 'anything else is System');
  t.same(calls, ['state a', 'kill a', 'start missing', 'start boom']);
  t.same(Object.keys(d.actor.getSnapshot().children), [], 'no finished child is kept');
});

t.test('one clean of a container at a time; a create waits for the one under way', async (t) => {
  const calls: string[] = [];
  let finishClean!: () => void;
  const backend = new Proxy({} as ExecBackend, {
    get: (_, method: string) => async (id: string) => {
      calls.push(`${method} ${id}`);
      if (method === 'clean') await new Promise<void>((r) => (finishClean = r));
      return method === 'create' ? { id, pid: 2, status: 'created', exit: null } : undefined;
    },
  });
  const d = startDriver(backend);
  t.teardown(() => d.stop());
  const first = d.call({ type: 'exec.clean', id: 'a' });
  const second = d.call({ type: 'exec.clean', id: 'a' });
  const created = d.call({ type: 'exec.create', id: 'a', spec: {} as never, paths: { bundle: '', state: '', log: '' } });
  await new Promise((r) => setTimeout(r, 20));
  t.same(calls, ['clean a'], 'the second clean joins the first; the create waits');
  finishClean();
  await Promise.all([first, second, created]);
  t.same(calls, ['clean a', 'create a'], 'the create ran once the clean was done');
  await d.call({ type: 'exec.create', id: 'b', spec: {} as never, paths: { bundle: '', state: '', log: '' } });
  t.same(calls.at(-1), 'create b', 'with no clean under way, create goes at once');
});
