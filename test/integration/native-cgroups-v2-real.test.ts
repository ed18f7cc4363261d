/**
 * berth's cgroup v2 manager on the real kernel (issue 3). Most hosts berth runs on are v2; this one
 * is hybrid, whose v2 tree (/sys/fs/cgroup/unified) has no controllers enabled but all the core
 * files. The addon's v2 code is pointed (CgroupRootOptions) at a test root made under the host's v2
 * tree, berth-v2test-<pid>, and drives a real process there: membership, freeze and thaw, CPU
 * usage, pids, kill-all, destroy. Limits need controllers this tree lacks: they must fail naming the file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { createCgroup, killCgroup, updateCgroup } from '../../drivers/exec/resources.js';
import { loadNative, type CgroupRootOptions } from '../../drivers/native/addon.js';
import { probes } from '../helpers/probes.js';

const native = loadNative();
const v2Root = native.kernelProbe().cgroup.v2Root;
const skip = probes.root() || (v2Root && fs.existsSync(path.join(v2Root, 'cgroup.procs')) ? false : 'needs a mounted cgroup v2 tree');

const read = (file: string): string => fs.readFileSync(file, 'utf8').trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The scheduler state letter of a process (R running, S sleeping, T stopped, …). */
const procState = (pid: number): string => {
  const stat = read(`/proc/${pid}/stat`);
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
};

async function gone(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

t.test('the v2 manager on the real kernel', { skip }, async (t) => {
  const root = path.join(v2Root!, `berth-v2test-${process.pid}`);
  fs.mkdirSync(root);
  const opts: CgroupRootOptions = { root, layout: 'v2' };
  const dir = path.join(root, 'berth/c1');
  // A CPU-bound child: its usage tells a frozen cgroup from a running one.
  const child = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const pid = child.pid!;
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      if (fs.existsSync(dir)) native.cgroupThaw('berth/c1', opts);
      child.kill('SIGKILL');
      await gone(child);
    }
    native.cgroupDestroy('berth', opts);
    fs.rmdirSync(root);
  });

  native.cgroupCreate('berth/c1', undefined, opts);
  t.ok(fs.existsSync(path.join(dir, 'cgroup.procs')), 'made, with the kernel-provided files');
  native.cgroupAddProcess('berth/c1', pid, opts);
  t.same(native.cgroupPids('berth/c1', opts), [pid], 'the child is the only member');
  t.match(read(`/proc/${pid}/cgroup`), new RegExp(`^0::/berth-v2test-${process.pid}/berth/c1$`, 'm'), "/proc/<pid>/cgroup's v2 line agrees");
  t.match(read(path.join(dir, 'cgroup.events')), /^populated 1$/m, 'cgroup.events: populated');

  await sleep(200);
  const running = native.cgroupStats('berth/c1', opts);
  t.ok((running.cpuUsageNs ?? 0) > 0, `cpu.stat usage_usec read as ${running.cpuUsageNs} ns`);
  t.equal(running.memoryUsage, null, 'no memory controller: no memory usage, and no error');
  t.equal(running.pidsCurrent, null, 'no pids controller: no pids count, and no error');

  native.cgroupFreeze('berth/c1', opts);
  t.match(read(path.join(dir, 'cgroup.events')), /^frozen 1$/m, 'cgroup.events: frozen 1');
  t.not(procState(pid), 'R', `the child is off the CPU (state ${procState(pid)})`);
  const frozenAt = native.cgroupStats('berth/c1', opts).cpuUsageNs;
  await sleep(200);
  t.equal(native.cgroupStats('berth/c1', opts).cpuUsageNs, frozenAt, 'a frozen cgroup uses no CPU');

  native.cgroupThaw('berth/c1', opts);
  t.match(read(path.join(dir, 'cgroup.events')), /^frozen 0$/m, 'cgroup.events: frozen 0');
  await sleep(200);
  t.ok((native.cgroupStats('berth/c1', opts).cpuUsageNs ?? 0) > (frozenAt ?? 0), 'thawed, it uses CPU again');

  t.throws(() => native.cgroupDestroy('berth/c1', opts), { code: 'EBUSY' }, 'destroy kills nothing and refuses a busy cgroup');
  t.equal(killCgroup('berth/c1', opts), 1, "berth's kill-all signals the one member");
  await gone(child);
  t.equal(child.signalCode, 'SIGKILL', 'which dies of SIGKILL');
  t.same(native.cgroupPids('berth/c1', opts), [], 'no process left');
  t.equal(killCgroup('berth/c1', opts), 0, 'an empty cgroup: nothing to kill');
  native.cgroupDestroy('berth', opts);
  t.notOk(fs.existsSync(path.join(root, 'berth')), 'destroy removes the tree');
});

t.test('limits without their controller fail naming the file', { skip }, async (t) => {
  const root = path.join(v2Root!, `berth-v2test-${process.pid}-limits`);
  fs.mkdirSync(root);
  const opts: CgroupRootOptions = { root, layout: 'v2' };
  t.teardown(() => {
    native.cgroupDestroy('berth', opts);
    fs.rmdirSync(root);
  });
  const controllers = read(path.join(root, 'cgroup.controllers')).split(/\s+/);
  for (const [limit, file, controller] of [[{ memory: 64 << 20 }, 'memory.max', 'memory'], [{ pidsLimit: 10 }, 'pids.max', 'pids']] as const) {
    if (controllers.includes(controller)) {
      t.comment(`the ${controller} controller is enabled here: nothing to refuse`);
      continue;
    }
    const where = path.join(root, 'berth/c2', file);
    t.throws(() => native.cgroupCreate('berth/c2', limit, opts), { code: 'ENOENT', path: where, message: new RegExp(`^cgroup create of 'berth/c2' failed: ENOENT: .*'${where}'`) }, `create refuses ${file}`);
    t.throws(() => native.cgroupUpdate('berth/c2', limit, opts), { code: 'ENOENT', path: where, message: new RegExp(`^cgroup update of 'berth/c2' failed: .*'${where}'`) }, `update refuses ${file}`);
    native.cgroupDestroy('berth/c2', opts);
    // What a container start or `docker update` reports: a System error (500) naming file and controller.
    const said = `create cgroup berth/c3: ${path.join(root, 'berth/c3', file)} does not exist: the ${controller} controller is not available to this cgroup`;
    t.throws(() => createCgroup('berth/c3', 'memory' in limit ? { Memory: limit.memory } : { PidsLimit: limit.pidsLimit }, opts), { kind: 'System', message: said }, `berth's create says why (${file})`);
    t.notOk(fs.existsSync(path.join(root, 'berth/c3')), 'and leaves no cgroup behind');
    native.cgroupCreate('berth/c3', undefined, opts);
    t.throws(() => updateCgroup('berth/c3', 'memory' in limit ? { Memory: limit.memory } : { PidsLimit: limit.pidsLimit }, opts), { kind: 'System', message: said.replace('create', 'update') }, `berth's update says why (${file})`);
  }
  t.throws(() => createCgroup('berth/c4', { BlkioWeight: 5 }, opts), { kind: 'InvalidParameter', message: /^create cgroup berth\/c4: cgroup create of 'berth\/c4' failed: /m }, 'a value no kernel takes is the client\'s error');
});
