/**
 * watchPid (issue 3): exit notification through pidfds on the addon's own thread. No root needed:
 * pidfd_open works on our own children. Node's child_process still reaps them; the checks never
 * wait on a child before the watch fires.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';

import { loadNative, nativeAddonPath } from '../../drivers/native/addon.js';

const BOUND_MS = 5000;

interface Fired {
  err: Error | null;
  pid: number;
  at: number;
}

function watch(pid: number): Promise<Fired> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`watchPid(${pid}) did not fire in ${BOUND_MS} ms`)), BOUND_MS);
    loadNative().watchPid(pid, (err, firedPid) => {
      clearTimeout(timer);
      resolve({ err, pid: firedPid, at: Date.now() });
    });
  });
}

function sleeper(seconds: number): ChildProcess & { pid: number } {
  const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('spawn sleep failed');
  return child as ChildProcess & { pid: number };
}

t.test('fires after the process exits', async (t) => {
  const start = Date.now();
  const child = sleeper(0.3);
  const fired = await watch(child.pid);
  t.equal(fired.err, null);
  t.equal(fired.pid, child.pid);
  t.ok(fired.at - start >= 250, `fired after ${fired.at - start} ms, not before the sleep ended`);
});

t.test('many watches at once, including one pid twice', async (t) => {
  const children = [sleeper(0.3), sleeper(0.1), sleeper(0.2)];
  const watches = children.map((c) => watch(c.pid));
  watches.push(watch(children[0].pid));
  const fired = await Promise.all(watches);
  t.same(
    fired.map((f) => f.pid),
    [...children.map((c) => c.pid), children[0].pid],
  );
  t.ok(fired.every((f) => f.err === null), 'no errors');
  t.ok(fired[1].at <= fired[0].at, 'the 0.1 s sleep fired no later than the 0.3 s one');
});

t.test('a process already gone fires at once, asynchronously, without error', async (t) => {
  const child = spawn('true', { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('spawn true failed');
  await once(child, 'exit'); // reaped by Node: pidfd_open now says ESRCH
  let returned = false;
  const start = Date.now();
  const fired = await new Promise<Fired & { afterReturn: boolean }>((resolve) => {
    loadNative().watchPid(pid, (err, firedPid) => resolve({ err, pid: firedPid, at: Date.now(), afterReturn: returned }));
    returned = true;
  });
  t.ok(fired.afterReturn, 'the callback ran after watchPid returned');
  t.equal(fired.err, null);
  t.equal(fired.pid, pid);
  t.ok(fired.at - start < 1000, `fired in ${fired.at - start} ms`);
});

t.test('invalid pids throw a SystemError naming the pid', async (t) => {
  for (const pid of [0, -1]) {
    t.throws(
      () => loadNative().watchPid(pid, () => t.fail('callback must not run')),
      { code: 'EINVAL', errno: -22, syscall: 'pidfd_open', message: `watch of pid ${pid} failed: EINVAL: invalid argument, pidfd_open` },
      `pid ${pid}`,
    );
  }
  t.throws(() => loadNative().watchPid(1.5, () => t.fail('callback must not run')), { code: 'ERR_INVALID_ARG_VALUE' });
});

/** Runs `script` in a fresh node with the addon at ADDON; it must exit by itself within BOUND_MS. */
function runNode(script: string): Promise<{ stdout: string; ms: number }> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', script],
      { timeout: BOUND_MS, env: { ...process.env, ADDON: nativeAddonPath() } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`node -e did not exit cleanly in ${BOUND_MS} ms: ${err.message}\n${stderr}`));
        else resolve({ stdout, ms: Date.now() - start });
      },
    );
  });
}

t.test('a pending watch keeps node alive, and nothing is left once it fired', async (t) => {
  // The sleep's own handle is unref'd, so only the watch holds the event loop open.
  const { stdout, ms } = await runNode(`
    const addon = require(process.env.ADDON);
    const child = require('node:child_process').spawn('sleep', ['0.3'], { stdio: 'ignore' });
    child.unref();
    addon.watchPid(child.pid, (err, pid) => console.log('fired', err, pid === child.pid));
  `);
  t.equal(stdout, 'fired null true\n');
  t.ok(ms < BOUND_MS, `exited after ${ms} ms`);
});

t.test('a process that only watched gone pids exits by itself', async (t) => {
  const { stdout } = await runNode(`
    const addon = require(process.env.ADDON);
    addon.watchPid(2 ** 22 + 1, (err) => console.log('gone', err));
    try { addon.watchPid(0, () => {}); } catch (e) { console.log(e.code); }
  `);
  t.equal(stdout, 'EINVAL\ngone null\n');
});
