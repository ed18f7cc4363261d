/**
 * A daemon killed (-9) in the middle of a container's run (issue 5): after the shim was spawned but
 * before the start was recorded, or during the release after an exit. The next daemon on the same
 * directory must end and release what that run left (shim and init, cgroup, rootfs mount, veth and
 * address), keep the record as it was, and be able to start the container again.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { cgroupProcsFiles } from '../../drivers/exec/cgroups.js';
import { containerCgroup } from '../../drivers/exec/resources.js';
import { loadNative } from '../../drivers/native/addon.js';
import { nativeMissing } from '../conformance/execdriver-native-fixture.js';
import { importBusybox } from '../helpers/containers.js';
import { request, startTestDaemon, testDir, type TestDaemon } from '../helpers/daemon.js';
import { spawnHaltingDaemon, type HaltPoint } from '../helpers/halting-daemon.js';
import { testNetwork } from '../helpers/test-network.js';

interface Inspect {
  State: { Status: string; Running: boolean; ExitCode: number; Error: string };
}

const json = { 'content-type': 'application/json' };

/** Pids whose command line names the container (its shim), and those in its cgroup (its init). */
function processesOf(id: string): number[] {
  const pids = new Set<number>();
  for (const p of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(id)) pids.add(Number(p));
    } catch {
      // exited meanwhile
    }
  }
  try {
    for (const p of loadNative().cgroupPids(containerCgroup(id))) pids.add(p);
  } catch {
    // no cgroup
  }
  return [...pids].sort((a, b) => a - b);
}

/** Whether `pid` still exists as more than a zombie. */
function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const mountsOf = (id: string): string[] => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(id));
const vethsOn = (bridge: string): string => execFileSync('ip', ['-o', 'link', 'show', 'master', bridge]).toString().trim();

/** Everything of a run of `id` that the kernel still has. */
function leftovers(id: string, bridge: string) {
  return { processes: processesOf(id).filter(alive), cgroups: cgroupProcsFiles(containerCgroup(id)), mounts: mountsOf(id), veths: vethsOn(bridge) };
}

/**
 * Imports busybox and creates container `name` running `cmd` on the default bridge with a published
 * port, through a normal daemon; then has a halting daemon on the same directory start it and halt
 * at `point`, and kills that daemon with SIGKILL. Returns the container's id and the new daemon.
 */
async function lostRun(t: Test, point: HaltPoint, cmd: string[], before: (id: string, bridge: string) => void): Promise<{ id: string; d: TestDaemon; bridge: string }> {
  const dir = testDir();
  const bridge = testNetwork(dir).bridge;
  const first = await startTestDaemon({}, {}, dir);
  await importBusybox(first);
  const body = JSON.stringify({ Image: 'busybox', Cmd: cmd, ExposedPorts: { '80/tcp': {} }, HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1' }] } } });
  const created = await first.request('POST', `/containers/create?name=lost-${point}`, { body, headers: json });
  t.equal(created.status, 201, created.body);
  await first.engine.shutdown('handing over to the halting daemon');
  const h = await spawnHaltingDaemon(dir, point);
  let d: TestDaemon | undefined;
  t.teardown(async () => {
    await h.kill9();
    if (!d) return;
    for (const c of (await d.request('GET', '/containers/json?all=1')).json<{ Id: string }[]>()) await d.request('DELETE', `/containers/${c.Id}?force=1`);
    await d.close();
  });
  void request(`${dir}/berth.sock`, 'POST', `/containers/lost-${point}/start`).catch(() => undefined);
  const id = await h.halted;
  before(id, bridge);
  await h.kill9();
  d = await startTestDaemon({}, {}, dir);
  return { id, d, bridge };
}

/** The container starts again and runs in a cgroup of its own (for a long-running command). */
async function startsAgain(t: Test, d: TestDaemon, id: string): Promise<void> {
  const s = await d.request('POST', `/containers/${id}/start`);
  t.equal(s.status, 204, `starts again: ${s.body}`);
  const i = (await d.request('GET', `/containers/${id}/json`)).json<Inspect>();
  t.equal(i.State.Running, true, 'and runs');
  t.ok(cgroupProcsFiles(containerCgroup(id)).length > 0, 'in a cgroup of its own again');
}

/**
 * The container (whose command exits at once with `code`) runs again to the same end; once removed
 * (which waits for its runtime's clean), nothing of it is left.
 */
async function runsAgainTo(t: Test, d: TestDaemon, id: string, code: number, bridge: string): Promise<void> {
  const w = d.request('POST', `/containers/${id}/wait?condition=next-exit`);
  const s = await d.request('POST', `/containers/${id}/start`);
  t.equal(s.status, 204, `starts again: ${s.body}`);
  t.equal((await w).json<{ StatusCode: number }>().StatusCode, code, 'and runs to its exit again');
  t.equal((await d.request('DELETE', `/containers/${id}`)).status, 204, 'removed');
  t.same(leftovers(id, bridge), { processes: [], cgroups: [], mounts: [], veths: '' }, 'nothing of that run is left either');
}

for (const point of ['create', 'start'] as const) {
  t.test(`a daemon killed before the start was recorded, at exec.${point}`, { skip: nativeMissing() }, async (t) => {
    const { id, d, bridge } = await lostRun(t, point, ['sleep', '300'], (id, bridge) => {
      const l = leftovers(id, bridge);
      t.ok(l.processes.length >= 2, `the shim and its waiting init run (${l.processes.join(' ')})`);
      t.ok(l.cgroups.length > 0, 'the cgroup is there');
      t.ok(l.mounts.length > 0, 'the rootfs is mounted');
      if (point === 'start') t.match(l.veths, /vethb/, 'a veth is on the bridge');
    });
    t.same(leftovers(id, bridge), { processes: [], cgroups: [], mounts: [], veths: '' }, 'no process, cgroup, mount or veth of the container is left');
    const i = (await d.request('GET', `/containers/${id}/json`)).json<Inspect>();
    t.equal(i.State.Status, 'created', 'the record still says created');
    const net = (await d.request('GET', '/networks/bridge')).json<{ Containers: Record<string, unknown> }>();
    t.same(net.Containers, {}, 'the bridge network has no endpoint for it');
    await startsAgain(t, d, id);
    const k = await d.request('POST', `/containers/${id}/kill`);
    t.equal(k.status, 204);
  });
}

t.test('a daemon killed after an exit was recorded, before the runtime was cleaned', { skip: nativeMissing() }, async (t) => {
  const { id, d, bridge } = await lostRun(t, 'before-clean', ['sh', '-c', 'exit 3'], () => undefined);
  const w = await d.request('POST', `/containers/${id}/wait`);
  t.equal(w.json<{ StatusCode: number }>().StatusCode, 3, 'the exit code its shim kept is recorded');
  t.same(leftovers(id, bridge), { processes: [], cgroups: [], mounts: [], veths: '' }, 'nothing of the run is left');
  await runsAgainTo(t, d, id, 3, bridge);
});

t.test('a daemon killed after the runtime was cleaned', { skip: nativeMissing() }, async (t) => {
  const { id, d, bridge } = await lostRun(t, 'after-clean', ['sh', '-c', 'exit 3'], (id, bridge) => {
    t.same(leftovers(id, bridge).cgroups, [], 'the run was released before its runtime state went');
  });
  const i = (await d.request('GET', `/containers/${id}/json`)).json<Inspect>();
  t.equal(i.State.Status, 'exited', 'recorded exited');
  t.equal(i.State.ExitCode, 3, 'the exit code was recorded before the runtime state (exit.json) went');
  t.same(leftovers(id, bridge), { processes: [], cgroups: [], mounts: [], veths: '' }, 'nothing of the run is left');
  await runsAgainTo(t, d, id, 3, bridge);
});
