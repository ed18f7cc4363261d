/**
 * What a shim holds (native runtime): it runs from the daemon's one sealed in-memory copy of the
 * helper (never the binary on disk), and none of the daemon's files, such as its database's, which
 * reach the helper without close-on-exec, stays open in it: a shim outlives the daemon.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import t from 'tap';

import { nativeMissing } from '../conformance/execdriver-native-fixture.js';
import { createContainer, importBusybox } from '../helpers/containers.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

/** Every fd of a process, as `fd → target`. */
function fds(pid: number | 'self'): Map<string, string> {
  const out = new Map<string, string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      out.set(fd, readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // closed meanwhile (readdir's own fd)
    }
  }
  return out;
}

const parentOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);

async function runSleeping(d: TestDaemon, name: string): Promise<number> {
  await createContainer(d, { Cmd: ['sleep', '60'], HostConfig: { NetworkMode: 'none' } }, name);
  const s = await d.request('POST', `/containers/${name}/start`);
  if (s.status !== 204) throw new Error(`start ${name}: ${s.status} ${s.body}`);
  return (await d.request('GET', `/containers/${name}/json`)).json<{ State: { Pid: number } }>().State.Pid;
}

t.test('shims run from one sealed copy and hold none of the daemon\'s files', { skip: nativeMissing() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.close());
  await importBusybox(d);
  const memfds = () => [...fds('self').values()].filter((f) => f.startsWith('/memfd:berth-helper')).length;

  const shims = [];
  for (const name of ['one', 'two']) {
    const shim = parentOf(await runSleeping(d, name));
    shims.push(shim);
    t.match(readlinkSync(`/proc/${shim}/exe`), /^\/memfd:berth-helper/, `${name}'s shim runs from a memfd`);
    t.equal(readFileSync(`/proc/${shim}/comm`, 'utf8'), 'berth-shim\n', 'and is called berth-shim in ps');
    const open = [...fds(shim).values()];
    t.same(open.filter((f) => f.startsWith(d.dir) && !f.includes('/containers/')), [], `${name}'s shim holds no daemon file (only its container's)`);
    t.notOk(open.some((f) => f.startsWith('/memfd:')), 'nor the sealed copy it was started from');
  }
  t.equal(memfds(), 1, 'the daemon made one sealed copy for both');
  for (const name of ['one', 'two']) await d.request('DELETE', `/containers/${name}?force=1`);
});
