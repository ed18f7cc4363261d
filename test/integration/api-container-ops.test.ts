/**
 * The container operations beyond the lifecycle through the API on the native runtime: pause and
 * unpause (the cgroup freezer), restart, rename, update (the live cgroup), top, stats, resize and
 * prune, with dockerd's status codes, messages and events.
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import t from 'tap';
import { nativeMissing } from '../conformance/execdriver-native-fixture.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { busyboxRootfsBuffer } from '../helpers/rootfs-tar.js';

const json = { 'content-type': 'application/json' };
const MiB = 1024 * 1024;

interface Inspect {
  Id: string;
  Name: string;
  State: { Status: string; Paused: boolean; Running: boolean; Pid: number; StartedAt: string };
  HostConfig: { Memory: number; RestartPolicy: { Name: string } };
}

async function run(d: TestDaemon, name: string, body: object): Promise<Inspect> {
  // No network: these tests need none, and the default bridge is shared by every daemon on the host.
  const c = await d.request('POST', `/containers/create?name=${name}`, { body: JSON.stringify({ Image: 'bb:1', HostConfig: { NetworkMode: 'none' }, ...body }), headers: json });
  if (c.status !== 201) throw new Error(`create ${name}: ${c.status} ${c.body}`);
  const s = await d.request('POST', `/containers/${name}/start`);
  if (s.status !== 204) throw new Error(`start ${name}: ${s.status} ${s.body}`);
  return inspect(d, name);
}

async function inspect(d: TestDaemon, ref: string): Promise<Inspect> {
  return (await d.request('GET', `/containers/${ref}/json`)).json<Inspect>();
}

async function logLines(d: TestDaemon, ref: string): Promise<number> {
  return (await d.request('GET', `/containers/${ref}/logs?stdout=1`)).body.split('tick').length - 1;
}

async function actions(d: TestDaemon, name: string): Promise<{ Action: string; Actor: { Attributes: Record<string, string> } }[]> {
  const filters = encodeURIComponent(JSON.stringify({ container: [name] }));
  const r = await d.request('GET', `/events?since=0&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${filters}`);
  return r.body.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** A cgroup file of a container (v2 name first, else the v1 controller's). */
function cgroupFile(id: string, v2: string, v1: string): string {
  const unified = `/sys/fs/cgroup/berth/${id}/${v2}`;
  return existsSync('/sys/fs/cgroup/cgroup.controllers') ? unified : `/sys/fs/cgroup/${v1.split('/')[0]}/berth/${id}/${v1.split('/')[1]}`;
}

/** The first `n` JSON lines of a streaming GET, then the connection is dropped. */
function firstLines(d: TestDaemon, path: string, n: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: d.socket, path }, (res) => {
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        const lines = buf.split('\n').filter(Boolean);
        if (buf.endsWith('\n') && lines.length >= n) {
          req.destroy();
          resolve(lines.slice(0, n).map((l) => JSON.parse(l)));
        }
      });
    });
    req.on('error', reject);
  });
}

t.test('container operations on the native runtime', { skip: nativeMissing() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(async () => {
    for (const c of (await d.request('GET', '/containers/json?all=1')).json<{ Id: string }[]>()) await d.request('DELETE', `/containers/${c.Id}?force=1`);
    await d.close();
  });
  await d.request('POST', '/images/create?fromSrc=-&repo=bb&tag=1', { body: await busyboxRootfsBuffer(), headers: { 'content-type': 'application/x-tar' } });
  const ticker = await run(d, 'ticker', { Cmd: ['sh', '-c', 'while :; do echo tick; sleep 0.1; done'], Labels: { keep: 'yes' } });

  t.test('pause freezes, unpause thaws, with dockerd errors around them', async (t) => {
    t.equal((await d.request('POST', '/containers/ticker/pause')).status, 204);
    t.match((await inspect(d, 'ticker')).State, { Status: 'paused', Paused: true, Running: true });
    await new Promise((r) => setTimeout(r, 300));
    const frozen = await logLines(d, 'ticker');
    await new Promise((r) => setTimeout(r, 600));
    t.equal(await logLines(d, 'ticker'), frozen, 'no output while paused');
    const again = await d.request('POST', '/containers/ticker/pause');
    t.same([again.status, again.json()], [409, { message: `Container ${ticker.Id} is already paused` }]);
    const exec = await d.request('POST', '/containers/ticker/exec', { body: '{"Cmd":["true"]}', headers: json });
    t.same([exec.status, exec.json()], [409, { message: `Container ${ticker.Id} is paused, unpause the container before exec` }]);
    t.equal((await d.request('POST', '/containers/ticker/unpause')).status, 204);
    t.match((await inspect(d, 'ticker')).State, { Status: 'running', Paused: false });
    await new Promise((r) => setTimeout(r, 500));
    t.ok((await logLines(d, 'ticker')) > frozen + 1, 'output again after unpause');
    const not = await d.request('POST', '/containers/ticker/unpause');
    t.same([not.status, not.json()], [409, { message: `Container ${ticker.Id} is not paused` }]);
    t.equal((await d.request('POST', '/containers/nope/pause')).status, 404);
    t.same((await actions(d, 'ticker')).filter((e) => /pause/.test(e.Action)).map((e) => e.Action), ['pause', 'unpause']);
  });

  t.test('top lists the container processes with host pids, in ps columns', async (t) => {
    const top = (await d.request('GET', '/containers/ticker/top')).json<{ Titles: string[]; Processes: string[][] }>();
    t.same(top.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    const pid = String((await inspect(d, 'ticker')).State.Pid);
    const init = top.Processes.find((p) => p[1] === pid);
    t.match(init, ['root', /^\d+$/, /^\d+$/, /^\d+$/, /^\d\d:\d\d$/, '?', /^\d\d:\d\d:\d\d$/, 'sh -c while :; do echo tick; sleep 0.1; done']);
    const aux = (await d.request('GET', '/containers/ticker/top?ps_args=aux')).json<{ Titles: string[]; Processes: string[][] }>();
    t.same(aux.Titles, ['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND']);
    t.ok(aux.Processes.some((p) => p[7] === 'Ss'), 'the shell leads its session');
    t.equal((await d.request('GET', '/containers/ticker/top?ps_args=-o%20pid')).status, 400);
  });

  t.test('stats: one sample with the one before, one-shot, a stream, a stopped container', async (t) => {
    const one = (await d.request('GET', '/containers/ticker/stats?stream=false')).json<Record<string, any>>();
    t.match(one, { name: '/ticker', id: ticker.Id, pids_stats: { current: Number }, memory_stats: { usage: Number, limit: Number }, cpu_stats: { online_cpus: Number, system_cpu_usage: Number } });
    t.ok(one.cpu_stats.cpu_usage.total_usage >= one.precpu_stats.cpu_usage.total_usage && one.precpu_stats.cpu_usage.total_usage > 0, 'precpu from the sample a second before');
    t.ok(one.memory_stats.usage > 0 && Date.parse(one.read) > Date.parse(one.preread));
    const shot = (await d.request('GET', '/containers/ticker/stats?stream=false&one-shot=true')).json<Record<string, any>>();
    t.equal(shot.preread, '0001-01-01T00:00:00Z');
    t.equal(shot.precpu_stats.cpu_usage.total_usage, 0);
    const lines = (await firstLines(d, '/containers/ticker/stats', 2)) as Record<string, any>[];
    t.equal(lines[1]!.preread, lines[0]!.read, 'each streamed sample carries the previous');
    t.equal((await d.request('GET', '/containers/ticker/stats?stream=true&one-shot=true')).status, 400);
  });

  t.test('update: limits on the live cgroup and the record, restart policy, dockerd refusals', async (t) => {
    const r = await d.request('POST', '/containers/ticker/update', { body: JSON.stringify({ Memory: 64 * MiB, PidsLimit: 50, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } }), headers: json });
    t.same([r.status, r.json()], [200, { Warnings: [] }]);
    t.equal(Number(readFileSync(cgroupFile(ticker.Id, 'memory.max', 'memory/memory.limit_in_bytes'), 'utf8')), 64 * MiB);
    t.equal(readFileSync(cgroupFile(ticker.Id, 'pids.max', 'pids/pids.max'), 'utf8').trim(), '50');
    t.match((await inspect(d, 'ticker')).HostConfig, { Memory: 64 * MiB, PidsLimit: 50, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } });
    const stats = (await d.request('GET', '/containers/ticker/stats?stream=false&one-shot=true')).json<{ memory_stats: { limit: number } }>();
    t.equal(stats.memory_stats.limit, 64 * MiB, 'stats report the new limit');
    const small = await d.request('POST', '/containers/ticker/update', { body: '{"Memory":1024}', headers: json });
    t.same([small.status, small.json()], [400, { message: 'Minimum memory limit allowed is 6MB' }]);
    await d.request('POST', '/containers/ticker/update', { body: '{"CpuQuota":50000}', headers: json });
    const nano = await d.request('POST', '/containers/ticker/update', { body: '{"NanoCpus":500000000}', headers: json });
    t.same([nano.status, nano.json()], [400, { message: `Cannot update container ${ticker.Id}: Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set` }]);
    t.ok((await actions(d, 'ticker')).some((e) => e.Action === 'update'));
  });

  t.test('resize: a TTY gets the size, no TTY is fine, a stopped container is not', async (t) => {
    await run(d, 'tty', { Tty: true, Cmd: ['sh', '-c', 'sleep 0.5; stty size; sleep 100'] });
    t.equal((await d.request('POST', '/containers/tty/resize?h=40&w=120')).status, 200);
    await new Promise((r) => setTimeout(r, 900));
    t.match((await d.request('GET', '/containers/tty/logs?stdout=1')).body, /40 120/);
    t.equal((await d.request('POST', '/containers/ticker/resize?h=40&w=120')).status, 200);
    t.same((await d.request('POST', '/containers/tty/resize?h=&w=1')).json(), { message: 'strconv.Atoi: parsing "": invalid syntax' });
    t.equal((await d.request('DELETE', '/containers/tty?force=1')).status, 204);
  });

  t.test('restart: stopped then started, as one job with its event; a stopped container is started', async (t) => {
    const before = await inspect(d, 'ticker');
    t.equal((await d.request('POST', '/containers/ticker/restart?t=0')).status, 204);
    const after = await inspect(d, 'ticker');
    t.equal(after.State.Status, 'running');
    t.not(after.State.Pid, before.State.Pid, 'a new process');
    t.not(after.State.StartedAt, before.State.StartedAt);
    const acts = (await actions(d, 'ticker')).map((e) => e.Action);
    t.same(acts.slice(acts.lastIndexOf('die')), ['die', 'stop', 'start', 'restart']);
    t.equal((await d.request('POST', '/containers/ticker/stop?t=0')).status, 204);
    t.equal((await d.request('POST', '/containers/ticker/restart')).status, 204);
    t.equal((await inspect(d, 'ticker')).State.Status, 'running');
    t.equal((await d.request('POST', '/containers/nope/restart')).status, 404);
  });

  t.test('rename: free names only, dockerd words, the old name in the event', async (t) => {
    await run(d, 'other', { Cmd: ['sleep', '100'] });
    t.equal((await d.request('POST', '/containers/ticker/rename?name=tock')).status, 204);
    t.equal((await inspect(d, ticker.Id)).Name, '/tock');
    const taken = await d.request('POST', '/containers/tock/rename?name=other');
    t.equal(taken.status, 409);
    t.match(taken.json(), { message: /^Error when allocating new name: Conflict\. The container name "\/other" is already in use by container "[0-9a-f]{64}"/ });
    t.same((await d.request('POST', '/containers/tock/rename?name=tock')).json(), { message: 'Renaming a container with the same name as its current name' });
    t.same((await d.request('POST', '/containers/tock/rename?name=')).json(), { message: 'Neither old nor new names may be empty' });
    t.equal((await d.request('POST', '/containers/tock/rename?name=a%20b')).status, 400);
    t.match((await actions(d, 'tock')).find((e) => e.Action === 'rename'), { Actor: { Attributes: { name: 'tock', oldName: '/ticker' } } });
  });

  t.test('stats of a stopped container: zeros at once', async (t) => {
    t.equal((await d.request('POST', '/containers/other/stop?t=0')).status, 204);
    const s = (await d.request('GET', '/containers/other/stats?stream=false')).json<Record<string, any>>();
    t.match(s, { name: '/other', read: '0001-01-01T00:00:00Z', memory_stats: {}, cpu_stats: { cpu_usage: { total_usage: 0 } } });
    const top = await d.request('GET', '/containers/other/top');
    t.equal(top.status, 409);
  });

  t.test('prune: stopped containers that pass the filters, the bytes they held', async (t) => {
    await run(d, 'writer', { Cmd: ['sh', '-c', 'i=0; while [ $i -lt 100 ]; do echo 0123456789 >> /f; i=$((i+1)); done'], Labels: { keep: 'no' } });
    await d.request('POST', '/containers/writer/wait');
    const none = (await d.request('POST', `/containers/prune?filters=${encodeURIComponent('{"label":["nothing"]}')}`)).json();
    t.same(none, { ContainersDeleted: null, SpaceReclaimed: 0 });
    t.equal((await d.request('POST', `/containers/prune?filters=${encodeURIComponent('{"until":["1h"]}')}`)).json<{ ContainersDeleted: null }>().ContainersDeleted, null, 'all made in the last hour');
    t.equal((await d.request('POST', `/containers/prune?filters=${encodeURIComponent('{"nope":["1"]}')}`)).status, 400);
    const writer = await inspect(d, 'writer');
    const pruned = (await d.request('POST', `/containers/prune?filters=${encodeURIComponent('{"label!":["keep=yes"]}')}`)).json<{ ContainersDeleted: string[]; SpaceReclaimed: number }>();
    t.ok(pruned.ContainersDeleted.includes(writer.Id));
    t.ok(pruned.SpaceReclaimed >= 1100, `the file it wrote (${pruned.SpaceReclaimed})`);
    const left = (await d.request('GET', '/containers/json?all=1')).json<{ Names: string[] }[]>().map((c) => c.Names[0]).sort();
    t.same(left, ['/tock'], 'the running one stays');
  });
});
