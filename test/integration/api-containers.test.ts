import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { createContainer, demux, importBusybox } from '../helpers/containers.js';
import { probes } from '../helpers/probes.js';

/** The raw body of a GET, as bytes (logs are binary-framed). */
function getBytes(d: TestDaemon, p: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http.get({ socketPath: d.socket, path: p }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
}

const post = (d: TestDaemon, p: string) => d.request('POST', p);
const inspect = async (d: TestDaemon, id: string) => (await d.request('GET', `/containers/${id}/json`)).json<{ State: { Status: string; ExitCode: number; OOMKilled: boolean; Running: boolean; Pid: number }; RestartCount: number; Name: string; Config: { Hostname: string } }>();

t.test('containers on the native runtime', { skip: probes.root() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.close());
  await importBusybox(d);

  t.test('run to completion: exit code, logs by stream, inspect, list', async (t) => {
    const id = await createContainer(d, { Cmd: ['sh', '-c', 'echo out; echo err >&2; hostname; exit 3'] }, 'first');
    t.equal((await post(d, `/containers/first/start`)).status, 204);
    const w = await post(d, `/containers/${id}/wait`);
    t.same(w.json(), { StatusCode: 3, Error: null });
    const logs = demux(await getBytes(d, `/containers/${id}/logs?stdout=1&stderr=1`));
    t.equal(logs.stdout, `out\n${id.slice(0, 12)}\n`, 'stdout, with its own hostname');
    t.equal(logs.stderr, 'err\n');
    const tail = demux(await getBytes(d, `/containers/${id}/logs?stdout=1&stderr=1&tail=1`));
    t.equal(tail.stdout.split('\n').length + tail.stderr.split('\n').length, 3, 'tail=1 gives one entry of either stream');
    t.match(await inspect(d, id), { Name: '/first', State: { Status: 'exited', ExitCode: 3, Running: false, Pid: 0 } });
    t.same((await d.request('GET', '/containers/json')).json(), [], 'not listed without all');
    t.match((await d.request('GET', '/containers/json?all=1')).json(), [{ Id: id, Names: ['/first'], State: 'exited', Status: /^Exited \(3\)/ }]);
    t.equal((await d.request('DELETE', `/containers/${id}`)).status, 204);
    t.equal((await d.request('GET', `/containers/${id}/json`)).status, 404);
  });

  t.test('PID 1, no host processes, lifecycle errors, stop with its timeout', async (t) => {
    const id = await createContainer(d, { Cmd: ['sh', '-c', 'ps -o pid,args; sleep 600'] });
    await post(d, `/containers/${id}/start`);
    t.equal((await post(d, `/containers/${id}/start`)).status, 304, 'start of a running container');
    t.match((await d.request('GET', '/info')).json(), { Containers: 1, ContainersRunning: 1, ContainersStopped: 0 }, 'info counts it');
    const rm = await d.request('DELETE', `/containers/${id}`);
    t.equal(rm.status, 409);
    t.match(rm.json(), { message: /container is running: stop the container before removing or force remove/ });
    await new Promise((r) => setTimeout(r, 300));
    const ps = demux(await getBytes(d, `/containers/${id}/logs?stdout=1`)).stdout.trim().split('\n').slice(1);
    t.match(ps[0], /^\s*1 sh -c/, 'its first process is PID 1');
    t.ok(ps.length <= 3, `only its own processes are visible: ${ps.join(' | ')}`);
    const started = Date.now();
    t.equal((await post(d, `/containers/${id}/stop?t=1`)).status, 204);
    t.ok(Date.now() - started >= 900, 'sh ignores SIGTERM as PID 1: killed after the timeout');
    t.match(await inspect(d, id), { State: { Status: 'exited', ExitCode: 137 } });
    t.equal((await post(d, `/containers/${id}/stop`)).status, 304, 'stop of a stopped container');
    t.equal((await post(d, `/containers/${id}/kill`)).status, 409);
    await d.request('DELETE', `/containers/${id}`);
  });

  t.test('signals: kill -s TERM to a process that handles it ends with 143', async (t) => {
    const id = await createContainer(d, { Cmd: ['sh', '-c', 'trap "exit 143" TERM; while true; do sleep 0.1; done'] });
    await post(d, `/containers/${id}/start`);
    await new Promise((r) => setTimeout(r, 200));
    t.equal((await post(d, `/containers/${id}/kill?signal=TERM`)).status, 204);
    t.same((await post(d, `/containers/${id}/wait`)).json(), { StatusCode: 143, Error: null });
    t.equal((await post(d, `/containers/${id}/kill?signal=BOGUS`)).status, 409, 'not running any more');
    await d.request('DELETE', `/containers/${id}?force=1`);
  });

  t.test('a memory limit ends a memory hog with 137 and OOMKilled', async (t) => {
    const id = await createContainer(d, { Cmd: ['sh', '-c', 'dd if=/dev/zero of=/dev/null bs=64M count=1'], HostConfig: { Memory: 16 * 1024 * 1024, MemorySwap: 16 * 1024 * 1024 } });
    await post(d, `/containers/${id}/start`);
    t.same((await post(d, `/containers/${id}/wait`)).json(), { StatusCode: 137, Error: null });
    t.match(await inspect(d, id), { State: { OOMKilled: true, ExitCode: 137 } });
    await d.request('DELETE', `/containers/${id}`);
  });

  t.test('a pids limit stops a fork bomb', async (t) => {
    const id = await createContainer(d, { Cmd: ['sh', '-c', 'for i in $(seq 1 50); do sleep 5 & done; wait'], HostConfig: { PidsLimit: 10 } });
    await post(d, `/containers/${id}/start`);
    await post(d, `/containers/${id}/wait`);
    t.match(demux(await getBytes(d, `/containers/${id}/logs?stderr=1`)).stderr, /can't fork|Resource temporarily unavailable/);
    await d.request('DELETE', `/containers/${id}`);
  });

  t.test('AutoRemove and restart policies', async (t) => {
    const gone = await createContainer(d, { Cmd: ['true'], HostConfig: { AutoRemove: true } });
    const removed = post(d, `/containers/${gone}/wait?condition=removed`);
    await post(d, `/containers/${gone}/start`);
    t.same((await removed).json(), { StatusCode: 0, Error: null });
    t.equal((await d.request('GET', `/containers/${gone}/json`)).status, 404);
    const id = await createContainer(d, { Cmd: ['sh', '-c', 'exit 1'], HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } } });
    await post(d, `/containers/${id}/start`);
    for (let i = 0; i < 50 && (await inspect(d, id)).RestartCount < 2; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    t.match(await inspect(d, id), { RestartCount: 2, State: { Status: 'exited', ExitCode: 1 } });
    await d.request('DELETE', `/containers/${id}`);
  });

  t.test('bad requests', async (t) => {
    t.equal((await d.request('POST', '/containers/create', { body: '{"Image":', headers: { 'content-type': 'application/json' } })).status, 400);
    t.match((await d.request('POST', '/containers/create', { body: '{"Image":"nope"}', headers: { 'content-type': 'application/json' } })).json(), { message: 'No such image: nope' });
    t.equal((await d.request('POST', '/containers/create?name=bad%20name', { body: '{"Image":"busybox"}', headers: { 'content-type': 'application/json' } })).status, 400);
    await createContainer(d, {}, 'taken');
    const clash = await d.request('POST', '/containers/create?name=taken', { body: '{"Image":"busybox"}', headers: { 'content-type': 'application/json' } });
    t.equal(clash.status, 409);
    t.match(clash.json(), { message: /The container name "\/taken" is already in use/ });
    t.equal((await post(d, '/containers/nope/start')).status, 404);
    t.equal((await d.request('POST', '/containers/create', { body: '{"Image":"busybox","HostConfig":{"Memory":1024}}', headers: { 'content-type': 'application/json' } })).status, 400, 'memory below 6MB');
    t.equal((await d.request('GET', '/containers/taken/logs')).status, 400, 'logs needs a stream');
    await d.request('DELETE', '/containers/taken');
  });

  t.test('nothing left behind', async (t) => {
    t.same((await d.request('GET', '/containers/json?all=1')).json(), []);
    t.same(readdirSync(path.join(d.config.dataRoot, 'containers')), []);
    t.notOk(existsSync(path.join(d.config.execRoot, 'containers')) && readdirSync(path.join(d.config.execRoot, 'containers')).length, 'no runtime state');
  });
});
