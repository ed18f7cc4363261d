/**
 * Stop and restart as dockerd on the native runtime: `stop` publishes kill (with the signal's
 * number) before die and stop, and a second kill when SIGKILL follows the timeout; `restart` and
 * `stop` of a container waiting out its restart policy's back-off cancel the pending start.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { nativeMissing } from '../conformance/execdriver-native-fixture.js';
import { createContainer, importBusybox } from '../helpers/containers.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

interface State {
  Status: string;
  Running: boolean;
  Restarting: boolean;
  Pid: number;
  Error: string;
}

const state = async (d: TestDaemon, ref: string) => (await d.request('GET', `/containers/${ref}/json`)).json<{ State: State; RestartCount: number }>();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function events(d: TestDaemon, name: string, since: number): Promise<{ Action: string; Actor: { Attributes: Record<string, string> } }[]> {
  const filters = encodeURIComponent(JSON.stringify({ container: [name] }));
  const r = await d.request('GET', `/events?since=${since}&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${filters}`);
  return r.body.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

async function run(d: TestDaemon, name: string, body: object): Promise<void> {
  await createContainer(d, { HostConfig: { NetworkMode: 'none' }, ...body }, name);
  const s = await d.request('POST', `/containers/${name}/start`);
  if (s.status !== 204) throw new Error(`start ${name}: ${s.status} ${s.body}`);
}

/** Waits until the container is in its back-off with at least `count` restarts behind it. */
async function restartingAfter(d: TestDaemon, name: string, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const s = await state(d, name);
    if (s.State.Restarting && s.RestartCount >= count) return;
    await pause(25);
  }
  throw new Error(`${name} never reached restart ${count}`);
}

t.test('stop and restart on the native runtime', { skip: nativeMissing() }, async (t) => {
  const d = await startTestDaemon();
  const ctl = mkdtempSync(path.join(os.tmpdir(), 'logs-ctl-'));
  t.teardown(async () => {
    for (const c of (await d.request('GET', '/containers/json?all=1')).json<{ Id: string }[]>()) await d.request('DELETE', `/containers/${c.Id}?force=1`);
    await d.close();
    rmSync(ctl, { recursive: true, force: true });
  });
  await importBusybox(d);
  const since = Math.floor(Date.now() / 1000) - 1;

  t.test('stop: kill, die, stop (as dockerd)', async (t) => {
    await run(d, 'polite', { Cmd: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'] });
    t.equal((await d.request('POST', '/containers/polite/stop')).status, 204);
    const ev = (await events(d, 'polite', since)).filter((e) => ['kill', 'die', 'stop'].includes(e.Action));
    t.same(ev.map((e) => e.Action), ['kill', 'die', 'stop']);
    t.equal(ev[0]!.Actor.Attributes.signal, '15', 'the signal by number');
    t.equal(ev[0]!.Actor.Attributes.name, 'polite');
  });

  t.test('stop after the timeout: kill 15, kill 9, die, stop', async (t) => {
    await run(d, 'deaf', { Cmd: ['sleep', '30'] });
    t.equal((await d.request('POST', '/containers/deaf/stop?t=1')).status, 204);
    const ev = (await events(d, 'deaf', since)).filter((e) => ['kill', 'die', 'stop'].includes(e.Action));
    t.same(ev.map((e) => `${e.Action}${e.Actor.Attributes.signal ? ` ${e.Actor.Attributes.signal}` : ''}`), ['kill 15', 'kill 9', 'die', 'stop']);
  });

  t.test('kill -s TERM: the kill event names the signal by number', async (t) => {
    await run(d, 'killed', { Cmd: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'] });
    t.equal((await d.request('POST', '/containers/killed/kill?signal=SIGTERM')).status, 204);
    await d.request('POST', '/containers/killed/wait');
    const kill = (await events(d, 'killed', since)).find((e) => e.Action === 'kill');
    t.equal(kill?.Actor.Attributes.signal, '15');
  });

  const flaky = { Cmd: ['sh', '-c', '[ -f /ctl/ok ] && exec sleep 30; exit 1'], HostConfig: { NetworkMode: 'none', RestartPolicy: { Name: 'always' }, Binds: [`${ctl}:/ctl`] } };

  t.test('restart during the back-off starts it now, and the cancelled start does not mark it exited', async (t) => {
    await run(d, 'flaky', flaky);
    await restartingAfter(d, 'flaky', 4);
    writeFileSync(path.join(ctl, 'ok'), '');
    const t0 = Date.now();
    const r = await d.request('POST', '/containers/flaky/restart');
    t.equal(r.status, 204, r.body);
    t.ok(Date.now() - t0 < 1500, 'without waiting out the back-off');
    const now = await state(d, 'flaky');
    t.match(now.State, { Status: 'running', Running: true, Restarting: false });
    // The old back-off (1.6 s at restart 4) has passed: still the same process, no error.
    await pause(2500);
    const later = await state(d, 'flaky');
    t.match(later.State, { Status: 'running', Pid: now.State.Pid, Error: '' });
    rmSync(path.join(ctl, 'ok'));
  });

  t.test('stop during the back-off cancels the pending start', async (t) => {
    await run(d, 'flaky2', flaky);
    await restartingAfter(d, 'flaky2', 3);
    const t0 = Date.now();
    t.equal((await d.request('POST', '/containers/flaky2/stop')).status, 204);
    t.ok(Date.now() - t0 < 1500, 'at once');
    await pause(1500);
    t.match((await state(d, 'flaky2')).State, { Status: 'exited', Running: false, Restarting: false });
  });
});
