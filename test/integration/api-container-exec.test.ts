/**
 * Exec through the API on the native runtime, as the docker CLI drives it: create, start hijacked
 * (`Upgrade: tcp`, multiplexed frames or a raw TTY, stdin, half-close), detached, inspect, resize,
 * dockerd's errors, and the exec_* events.
 */
import net from 'node:net';
import t from 'tap';
import { nativeMissing } from '../conformance/execdriver-native-fixture.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { busyboxRootfsBuffer } from '../helpers/rootfs-tar.js';

const json = { 'content-type': 'application/json' };

/** Output of a hijacked exec start: the status line, and the stream split by frame (or raw with a TTY). */
interface Started {
  status: string;
  stdout: string;
  stderr: string;
  raw: string;
}

/** POST /exec/{id}/start with `Upgrade: tcp`, as the docker CLI sends it; `stdin` is written (pieces 300 ms apart), then the write side closed. */
function hijackedStart(d: TestDaemon, id: string, body: object, stdin?: string | string[]): Promise<Started> {
  return new Promise((resolve, reject) => {
    const s = net.connect(d.socket);
    const text = JSON.stringify(body);
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const status = all.subarray(0, all.indexOf('\r\n')).toString();
      resolve({ status, raw: all.subarray(split + 4).toString(), ...demux(all.subarray(split + 4)) });
      s.destroy();
    });
    s.write(`POST /v1.47/exec/${id}/start HTTP/1.1\r\nHost: \r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
    const pieces = typeof stdin === 'string' ? [stdin] : (stdin ?? []);
    pieces.forEach((p, i) => setTimeout(() => (i === pieces.length - 1 ? s.end(p) : s.write(p)), 200 + 300 * i));
  });
}

function demux(b: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  while (b.length >= 8) {
    const len = b.readUInt32BE(4);
    if (b[0] === 1) out.stdout += b.subarray(8, 8 + len).toString();
    if (b[0] === 2) out.stderr += b.subarray(8, 8 + len).toString();
    b = b.subarray(8 + len);
  }
  return out;
}

async function exec(d: TestDaemon, ref: string, config: object): Promise<string> {
  const r = await d.request('POST', `/v1.47/containers/${ref}/exec`, { body: JSON.stringify(config), headers: json });
  if (r.status !== 201) throw new Error(`exec create ${r.status}: ${r.body}`);
  return r.json<{ Id: string }>().Id;
}

async function inspect(d: TestDaemon, id: string) {
  return (await d.request('GET', `/exec/${id}/json`)).json<{ Running: boolean; ExitCode: number | null; Pid: number; ContainerID: string; OpenStdin: boolean; ProcessConfig: { entrypoint: string; arguments: string[]; tty: boolean } }>();
}

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await f();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('exec through the API on the native runtime', { skip: nativeMissing() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(async () => {
    await d.request('DELETE', '/containers/x1?force=1');
    await d.close();
  });
  await d.request('POST', '/images/create?fromSrc=-&repo=bb&tag=1', { body: await busyboxRootfsBuffer(), headers: { 'content-type': 'application/x-tar' } });
  t.equal((await d.request('POST', '/containers/create?name=x1', { body: JSON.stringify({ Image: 'bb:1', Cmd: ['sleep', '1000'], Env: ['FROM_C=1'], HostConfig: { NetworkMode: 'none' } }), headers: json })).status, 201);
  t.equal((await d.request('POST', '/containers/x1/start')).status, 204);
  const cid = (await d.request('GET', '/containers/x1/json')).json<{ Id: string }>().Id;

  t.test('attached: frames per stream, the exit code recorded before the stream ends', async (t) => {
    const id = await exec(d, 'x1', { Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'], AttachStdout: true, AttachStderr: true });
    t.match(await inspect(d, id), { Running: false, ExitCode: null, Pid: 0, ContainerID: cid, ProcessConfig: { entrypoint: 'sh', arguments: ['-c', 'echo out; echo err >&2; exit 3'], tty: false } });
    const s = await hijackedStart(d, id, { Detach: false, Tty: false });
    t.equal(s.status, 'HTTP/1.1 101 UPGRADED');
    t.same([s.stdout, s.stderr], ['out\n', 'err\n']);
    const after = await inspect(d, id);
    t.match(after, { Running: false, ExitCode: 3 });
    t.ok(after.Pid > 0, 'the host pid of the process');
    const again = await d.request('POST', `/exec/${id}/start`, { body: '{"Detach":true}', headers: json });
    t.equal(again.status, 409);
    t.same(again.json(), { message: `Error: Exec command ${id} has already run` });
  });

  t.test('stdin until the client half-closes', async (t) => {
    const id = await exec(d, 'x1', { Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    t.equal((await inspect(d, id)).OpenStdin, true);
    const s = await hijackedStart(d, id, { Detach: false, Tty: false }, 'hello\nworld\n');
    t.equal(s.stdout, 'hello\nworld\n');
    t.equal((await inspect(d, id)).ExitCode, 0);
  });

  t.test('detach keys end the stream and leave the process running', async (t) => {
    const id = await exec(d, 'x1', { Cmd: ['sh', '-c', 'read x; echo got $x; sleep 30'], AttachStdin: true, AttachStdout: true, DetachKeys: 'ctrl-a,x' });
    const s = await hijackedStart(d, id, { Tty: false }, ['a\n', '\x01x']);
    t.equal(s.stdout, 'got a\n');
    t.match(await inspect(d, id), { Running: true, ExitCode: null });
    const events = await d.request('GET', `/events?since=0&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${encodeURIComponent('{"event":["exec_detach"]}')}`);
    t.match(JSON.parse(events.body.trim()), { Action: 'exec_detach', Actor: { Attributes: { execID: id } } });
  });

  t.test('the container environment, user and working dir, or the exec own', async (t) => {
    const id = await exec(d, 'x1', { Cmd: ['sh', '-c', 'echo $FROM_C $A $HOME; id -u; pwd'], Env: ['A=b'], User: 'nobody', WorkingDir: '/tmp', AttachStdout: true });
    t.equal((await hijackedStart(d, id, { Tty: false })).stdout, '1 b /nonexistent\n65534\n/tmp\n');
    const root = await exec(d, 'x1', { Cmd: ['sh', '-c', 'id -u; pwd; echo $PATH'], AttachStdout: true });
    t.equal((await hijackedStart(d, root, { Tty: false })).stdout, '0\n/\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
  });

  t.test('a TTY: raw output, and resize', async (t) => {
    const id = await exec(d, 'x1', { Cmd: ['sh', '-c', 'sleep 0.5; tty; stty size'], Tty: true, AttachStdout: true, ConsoleSize: [20, 70] });
    const started = hijackedStart(d, id, { Detach: false, Tty: true });
    const resized = await d.request('POST', `/exec/${id}/resize?h=33&w=99`);
    t.equal(resized.status, 200);
    const s = await started;
    t.match(s.raw, /^\/dev\/pts\/\d+\r\n33 99\r\n$/, 'a pty, resized before stty ran');
    t.equal((await d.request('POST', `/exec/${id}/resize?h=x&w=1`)).status, 400);
    t.same((await d.request('POST', '/exec/nope/resize?h=1&w=1')).json(), { message: 'No such exec instance: nope' });
  });

  t.test('detached: 200 at once, the exit code later', async (t) => {
    const id = await exec(d, 'x1', { Cmd: ['sh', '-c', 'sleep 0.3; exit 7'] });
    const r = await d.request('POST', `/exec/${id}/start`, { body: '{"Detach":true,"Tty":false}', headers: json });
    t.equal(r.status, 200);
    t.equal(r.body, '');
    t.match(await inspect(d, id), { Running: true, ExitCode: null });
    t.equal((await until(() => inspect(d, id), (i) => i.ExitCode !== null, 'the exit')).ExitCode, 7);
  });

  t.test('a missing command: dockerd words in the stream, exit code 127', async (t) => {
    const id = await exec(d, 'x1', { Cmd: ['nosuch'], AttachStdout: true, AttachStderr: true });
    const s = await hijackedStart(d, id, { Tty: false });
    t.equal(s.stdout, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown\r\n');
    t.match(await inspect(d, id), { Running: false, ExitCode: 127 });
  });

  t.test('errors', async (t) => {
    const empty = await d.request('POST', '/containers/x1/exec', { body: '{"Cmd":[]}', headers: json });
    t.same([empty.status, empty.json()], [400, { message: 'No exec command specified' }]);
    const keys = await d.request('POST', '/containers/x1/exec', { body: '{"Cmd":["true"],"DetachKeys":"ctrl-"}', headers: json });
    t.same([keys.status, keys.json()], [400, { message: 'Invalid escape keys (ctrl-) provided' }]);
    t.same((await d.request('POST', '/containers/nope/exec', { body: '{"Cmd":["true"]}', headers: json })).json(), { message: 'No such container: nope' });
    t.same((await d.request('GET', '/exec/nope/json')).json(), { message: 'No such exec instance: nope' });
    t.equal((await d.request('POST', '/exec/nope/start', { body: '{"Detach":true}', headers: json })).status, 404);
  });

  t.test('events: exec_create, exec_start with the command, exec_die with the code', async (t) => {
    const until = Math.ceil(Date.now() / 1000) + 1;
    const filters = encodeURIComponent(JSON.stringify({ container: ['x1'] }));
    const events = (await d.request('GET', `/events?since=0&until=${until}&filters=${filters}`)).body.trim().split('\n').map((l) => JSON.parse(l) as { Action: string; Actor: { Attributes: Record<string, string> } });
    const mine = events.filter((e) => e.Action.startsWith('exec_'));
    t.ok(mine.some((e) => e.Action === 'exec_create: sh -c echo out; echo err >&2; exit 3' && /^[0-9a-f]{64}$/.test(e.Actor.Attributes.execID!)));
    t.ok(mine.some((e) => e.Action === 'exec_start: cat '), 'no arguments: a trailing space, as dockerd');
    t.ok(mine.some((e) => e.Action === 'exec_die' && e.Actor.Attributes.exitCode === '3' && e.Actor.Attributes.name === 'x1'));
  });

  t.test('a stopped container refuses exec', async (t) => {
    const id = await exec(d, 'x1', { Cmd: ['true'] });
    t.equal((await d.request('POST', '/containers/x1/stop?t=0')).status, 204);
    const r = await d.request('POST', '/containers/x1/exec', { body: '{"Cmd":["true"]}', headers: json });
    t.same([r.status, r.json()], [409, { message: `Container ${cid} is not running` }]);
    const start = await d.request('POST', `/exec/${id}/start`, { body: '{"Detach":true}', headers: json });
    t.same([start.status, start.json()], [409, { message: `Container ${cid} is not running` }]);
    t.equal((await d.request('DELETE', '/containers/x1')).status, 204);
    t.equal((await d.request('GET', `/exec/${id}/json`)).status, 404, 'exec instances go with their container');
  });
});
