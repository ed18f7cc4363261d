/**
 * The addon's cgroup manager. Without root it runs against tmpdir roots laid out like cgroupfs;
 * as root it also makes a real cgroup named berth-test-<pid> (so leakcheck sees a leak), puts a
 * child `sleep` in it, freezes, thaws, kills it by pid and removes the cgroup from every hierarchy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';

import { loadNative, type CgroupRootOptions } from '../../drivers/native/addon.js';
import { probes } from '../helpers/probes.js';

const native = loadNative();
const MiB = 1024 * 1024;

function tmpRoot(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `berth-test-cgroot-${process.pid}-`));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes files as cgroupfs would have them: `files` maps a path under root to its text. */
function layout(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

const read = (file: string): string => fs.readFileSync(file, 'utf8').trim();

t.test('v2 on a tmp root: controllers enabled, limits translated, stats read', async (t) => {
  const root = tmpRoot(t);
  layout(root, {
    'cgroup.controllers': 'cpu memory pids\n',
    'cgroup.subtree_control': '',
    'berth/cgroup.controllers': 'cpu memory pids\n',
    'berth/cgroup.subtree_control': '',
    'berth/c1/memory.max': 'max\n',
    'berth/c1/memory.swap.max': 'max\n',
    'berth/c1/cpu.weight': '100\n',
    'berth/c1/cpu.max': 'max 100000\n',
    'berth/c1/pids.max': 'max\n',
    'berth/c1/cgroup.procs': '',
    'berth/c1/cpu.stat': 'usage_usec 250\n',
    'berth/c1/memory.current': '8192\n',
    'berth/c1/memory.events': 'oom 1\noom_kill 1\n',
  });
  const opts: CgroupRootOptions = { root, layout: 'v2' };
  native.cgroupCreate('berth/c1', { memory: MiB, memorySwap: 3 * MiB, cpuShares: 1024, cpuQuota: 50_000, pidsLimit: 0 }, opts);
  const c1 = (f: string): string => read(path.join(root, 'berth/c1', f));
  t.equal(read(path.join(root, 'cgroup.subtree_control')), '+cpu +memory +pids');
  t.equal(read(path.join(root, 'berth/cgroup.subtree_control')), '+cpu +memory +pids');
  t.equal(c1('memory.max'), String(MiB));
  t.equal(c1('memory.swap.max'), String(2 * MiB), 'memorySwap counts memory too');
  t.equal(c1('cpu.weight'), '39', "runc's map of the default 1024 shares");
  t.equal(c1('cpu.max'), '50000', 'the period is left as it was');
  t.equal(c1('pids.max'), 'max', 'pidsLimit 0 is unlimited');

  native.cgroupAddProcess('berth/c1', 4242, opts);
  t.equal(c1('cgroup.procs'), '4242');
  t.same(native.cgroupStats('berth/c1', opts), {
    cpuUsageNs: 250_000,
    memoryUsage: 8192,
    memoryLimit: MiB,
    pidsCurrent: null,
    ioReadBytes: null,
    ioWriteBytes: null,
  });
  t.equal(native.cgroupOomKills('berth/c1', opts), 1);
});

t.test('v1 on a tmp root: every hierarchy, v1 file names', async (t) => {
  const root = tmpRoot(t);
  layout(root, {
    'memory/berth/c1/memory.limit_in_bytes': '9223372036854771712\n',
    'memory/berth/c1/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n',
    'memory/berth/c1/cgroup.procs': '7\n',
    'cpu/berth/c1/cpu.shares': '1024\n',
    'cpu/berth/c1/cgroup.procs': '',
    'pids/berth/c1/pids.max': 'max\n',
    'pids/berth/c1/cgroup.procs': '7\n9\n',
  });
  const opts: CgroupRootOptions = { root, layout: 'v1' };
  native.cgroupCreate('berth/c1', { memory: 2 * MiB, cpuShares: 512, pidsLimit: 20 }, opts);
  t.equal(read(path.join(root, 'memory/berth/c1/memory.limit_in_bytes')), String(2 * MiB));
  t.equal(read(path.join(root, 'cpu/berth/c1/cpu.shares')), '512');
  t.equal(read(path.join(root, 'pids/berth/c1/pids.max')), '20');
  t.same(native.cgroupPids('berth/c1', opts), [7, 9], 'the union over hierarchies');
  t.equal(native.cgroupOomKills('berth/c1', opts), 0);

  native.cgroupCreate('berth/empty', undefined, opts);
  t.ok(fs.existsSync(path.join(root, 'memory/berth/empty')), 'made in the memory hierarchy');
  native.cgroupDestroy('berth/empty', opts);
  t.notOk(fs.existsSync(path.join(root, 'memory/berth/empty')), 'removed');
  native.cgroupDestroy('berth/empty', opts);
  t.pass('destroying a missing cgroup is fine');
});

t.test('errors name the operation and the object', async (t) => {
  const root = tmpRoot(t);
  layout(root, { 'cgroup.controllers': 'memory\n', 'cgroup.subtree_control': '' });
  const opts: CgroupRootOptions = { root, layout: 'v2' };
  t.throws(() => native.cgroupCreate('../escape', {}, opts), {
    code: 'ERR_INVALID_ARG_VALUE',
    message: "cgroup create of '../escape' failed: invalid path: '../escape' has an empty, '.' or '..' component",
  });
  t.throws(() => native.cgroupCreate('c', { blkioWeight: 5 }, opts), { code: 'ERR_INVALID_ARG_VALUE' });
  t.throws(() => native.cgroupCreate('c', { memorySwap: MiB }, opts), { code: 'ERR_INVALID_ARG_VALUE' }, 'v2 swap needs memory');
  const missing = path.join(root, 'c', 'pids.max');
  t.throws(() => native.cgroupCreate('c', { pidsLimit: 5 }, opts), {
    code: 'ENOENT',
    errno: -2,
    syscall: 'open',
    path: missing,
    message: `cgroup create of 'c' failed: ENOENT: no such file or directory, open '${missing}'`,
  });
  t.throws(() => native.cgroupStats('x', { root, layout: 'v9' as unknown as CgroupRootOptions['layout'] }), {
    code: 'ERR_INVALID_ARG_VALUE',
  });
});

/** Where the host keeps `controller`'s files for cgroup `name`. */
function hostDirs(name: string): { dir: (controller: string) => string; all: string[] } {
  const { layout: kind, v2Root } = native.kernelProbe().cgroup;
  if (kind === 'v2') {
    const dir = path.join(v2Root ?? '/sys/fs/cgroup', name);
    return { dir: () => dir, all: [dir] };
  }
  const mounts = new Map<string, string>();
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right?.startsWith('cgroup ')) continue;
    const mountPoint = left.split(' ')[4];
    for (const opt of right.split(' ')[2].split(',')) if (!mounts.has(opt)) mounts.set(opt, mountPoint);
  }
  const dir = (controller: string): string => path.join(mounts.get(controller) ?? '/nonexistent', name);
  const all = ['cpu', 'cpuacct', 'cpuset', 'memory', 'freezer', 'pids'].filter((c) => mounts.has(c)).map(dir);
  if (kind === 'hybrid' && v2Root) all.push(path.join(v2Root, name));
  return { dir, all };
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

t.test('a real cgroup: limits, a child process, freeze, thaw, destroy', { skip: probes.root() }, async (t) => {
  const name = `berth-test-${process.pid}`;
  const kind = native.kernelProbe().cgroup.layout;
  const { dir, all } = hostDirs(name);
  let child: ChildProcess | undefined;
  t.teardown(async () => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      // A v1-frozen task cannot die until thawed.
      if (fs.existsSync(dir('freezer'))) native.cgroupThaw(name);
      process.kill(child.pid, 'SIGKILL');
      await exited(child);
    }
    native.cgroupDestroy(name);
  });

  native.cgroupCreate(name, {
    memory: 64 * MiB,
    memoryReservation: 32 * MiB,
    cpuShares: 512,
    cpuQuota: 50_000,
    cpuPeriod: 100_000,
    cpusetCpus: '0',
    cpusetMems: '0',
    pidsLimit: 64,
  });
  for (const d of all) t.ok(fs.statSync(d).isDirectory(), `created ${d}`);
  if (kind === 'v2') {
    t.equal(read(path.join(dir('memory'), 'memory.max')), String(64 * MiB));
    t.equal(read(path.join(dir('memory'), 'memory.low')), String(32 * MiB));
    t.equal(read(path.join(dir('cpu'), 'cpu.weight')), '20');
    t.equal(read(path.join(dir('cpu'), 'cpu.max')), '50000 100000');
  } else {
    t.equal(read(path.join(dir('memory'), 'memory.limit_in_bytes')), String(64 * MiB));
    t.equal(read(path.join(dir('memory'), 'memory.soft_limit_in_bytes')), String(32 * MiB));
    t.equal(read(path.join(dir('cpu'), 'cpu.shares')), '512');
    t.equal(read(path.join(dir('cpu'), 'cpu.cfs_quota_us')), '50000');
    t.equal(read(path.join(dir('cpu'), 'cpu.cfs_period_us')), '100000');
  }
  t.equal(read(path.join(dir('cpuset'), 'cpuset.cpus')), '0');
  t.equal(read(path.join(dir('pids'), 'pids.max')), '64');

  child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const pid = child.pid ?? 0;
  native.cgroupAddProcess(name, pid);
  t.same(native.cgroupPids(name), [pid], 'the child is the only member');
  t.match(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`/${name}$`, 'm'), '/proc/<pid>/cgroup agrees');

  native.cgroupFreeze(name);
  if (kind === 'v2') t.match(read(path.join(dir('freezer'), 'cgroup.events')), /^frozen 1$/m, 'cgroup.events frozen 1');
  else t.equal(read(path.join(dir('freezer'), 'freezer.state')), 'FROZEN', 'freezer.state FROZEN');
  const stats = native.cgroupStats(name);
  t.equal(stats.pidsCurrent, 1, 'pids.current');
  t.equal(stats.memoryLimit, 64 * MiB, 'memory limit');
  t.type(stats.cpuUsageNs, 'number');
  t.type(stats.memoryUsage, 'number');
  t.equal(native.cgroupOomKills(name), 0);

  native.cgroupThaw(name);
  if (kind === 'v2') t.match(read(path.join(dir('freezer'), 'cgroup.events')), /^frozen 0$/m, 'thawed');
  else t.equal(read(path.join(dir('freezer'), 'freezer.state')), 'THAWED', 'thawed');

  t.throws(() => native.cgroupDestroy(name), { code: 'EBUSY' }, 'destroy kills nothing and refuses a busy cgroup');
  t.equal(child.exitCode, null, 'the child still runs');

  process.kill(pid, 'SIGKILL');
  await exited(child);
  native.cgroupDestroy(name);
  for (const d of all) t.notOk(fs.existsSync(d), `removed ${d}`);
  const leftovers = fs
    .readdirSync('/sys/fs/cgroup')
    .map((h) => path.join('/sys/fs/cgroup', h, name))
    .filter((d) => fs.existsSync(d));
  t.same(leftovers, [], 'nothing named after this test is left under /sys/fs/cgroup');
});
