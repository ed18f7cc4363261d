/**
 * `--init` (HostConfig.Init) on the native runtime: the helper runs as PID 1 from a read-only
 * /sbin/docker-init, the command is its child, orphans are reaped, SIGTERM reaches a command that
 * would ignore it as PID 1, and the command's exit code comes out. Inspect keeps the user's Path.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { helperPath } from '../../drivers/exec/helper-path.js';
import { nativeMissing } from '../conformance/execdriver-native-fixture.js';
import { createContainer, demux, importBusybox } from '../helpers/containers.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

interface Inspect {
  Path: string;
  Args: string[];
  HostConfig: { Init: boolean | null };
  State: { Running: boolean; ExitCode: number; Pid: number };
}

const inspect = async (d: TestDaemon, ref: string) => (await d.request('GET', `/containers/${ref}/json`)).json<Inspect>();

/** Creates and starts a container without a network (none is needed; the bridge is shared by test daemons). */
async function run(d: TestDaemon, name: string, cmd: string[], init: boolean): Promise<Inspect> {
  await createContainer(d, { Cmd: cmd, HostConfig: { NetworkMode: 'none', Init: init } }, name);
  const s = await d.request('POST', `/containers/${name}/start`);
  if (s.status !== 204) throw new Error(`start ${name}: ${s.status} ${s.body}`);
  return inspect(d, name);
}

async function waitExit(d: TestDaemon, name: string): Promise<number> {
  return (await d.request('POST', `/containers/${name}/wait`)).json<{ StatusCode: number }>().StatusCode;
}

async function logs(d: TestDaemon, name: string): Promise<string> {
  return demux(Buffer.from((await d.request('GET', `/containers/${name}/logs?stdout=1&stderr=1`)).body, 'latin1')).stdout;
}

/** The host pids of a process's children and their states (R, S, Z, …). */
function children(pid: number): { pid: number; state: string }[] {
  const list = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return list.map((p) => {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    return { pid: p, state: stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) };
  });
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

t.test('--init on the native runtime', { skip: nativeMissing() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(async () => {
    for (const c of (await d.request('GET', '/containers/json?all=1')).json<{ Id: string }[]>()) await d.request('DELETE', `/containers/${c.Id}?force=1`);
    await d.close();
  });
  await importBusybox(d);

  t.test('PID 1 is the init, the command its child; the exit code passes through; inspect keeps the command', async (t) => {
    const c = await run(d, 'i1', ['sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo; echo pid=$$; exit 7'], true);
    t.equal(c.Path, 'sh', 'Path is the command, as dockerd shows it');
    t.same(c.Args.slice(0, 1), ['-c']);
    t.equal(c.HostConfig.Init, true);
    t.equal(await waitExit(d, 'i1'), 7);
    const out = await logs(d, 'i1');
    t.match(out, /^\/sbin\/docker-init -- sh -c /, 'PID 1 runs /sbin/docker-init -- CMD');
    t.match(out, /pid=2\n/, 'the command is PID 2');
    t.equal((await inspect(d, 'i1')).State.ExitCode, 7);
  });

  t.test('a command killed by a signal exits 128 + n', async (t) => {
    await run(d, 'i2', ['sh', '-c', 'kill -USR1 $$'], true);
    t.equal(await waitExit(d, 'i2'), 128 + 10);
  });

  t.test('orphans are reaped by the init, and stay zombies under a PID 1 that does not wait', async (t) => {
    // The orphans outlive sh's exec, so the PID 1 that must reap them is the init or `sleep 30`,
    // never sh (which reaps any child it sees while it waits for its subshells).
    const orphans = ['sh', '-c', '(sleep 1 &); (sleep 1 &); exec sleep 30'];
    const withInit = await run(d, 'z1', orphans, true);
    const without = await run(d, 'z0', orphans, false);
    await new Promise((r) => setTimeout(r, 2500));
    const kids = children(withInit.State.Pid);
    t.equal(kids.length, 1, 'the init has only the command left');
    t.notOk(kids.some((k) => k.state === 'Z'), 'no zombie under the init');
    t.equal(children(without.State.Pid).filter((k) => k.state === 'Z').length, 2, 'without --init orphans stay zombies');
  });

  t.test('docker stop: SIGTERM ends a sleep under the init at once; as PID 1 sleep ignores it until SIGKILL', async (t) => {
    let t0 = Date.now();
    t.equal((await d.request('POST', '/containers/z1/stop?t=5')).status, 204);
    t.ok(Date.now() - t0 < 3000, `stopped in ${Date.now() - t0} ms`);
    t.equal((await inspect(d, 'z1')).State.ExitCode, 143, 'SIGTERM: 128 + 15');
    t0 = Date.now();
    t.equal((await d.request('POST', '/containers/z0/stop?t=2')).status, 204);
    t.ok(Date.now() - t0 >= 1900, 'without --init it took the timeout');
    t.equal((await inspect(d, 'z0')).State.ExitCode, 137, 'SIGKILL: 128 + 9');
  });

  t.test('kill -s TERM ends it too', async (t) => {
    await run(d, 'k1', ['sleep', '30'], true);
    t.equal((await d.request('POST', '/containers/k1/kill?signal=TERM')).status, 204);
    t.equal(await waitExit(d, 'k1'), 143);
  });

  t.test('the container cannot write /sbin/docker-init (a read-only bind of the host binary)', async (t) => {
    const before = sha256(helperPath());
    await run(d, 'w1', ['sh', '-c', 'echo x >> /sbin/docker-init && echo wrote-path; echo x > /proc/1/exe && echo wrote-exe; rm /sbin/docker-init && echo removed; echo done'], true);
    t.equal(await waitExit(d, 'w1'), 0);
    const out = await logs(d, 'w1');
    t.equal(out, 'done\n', 'every write failed');
    t.equal(sha256(helperPath()), before, 'the helper on disk is unchanged');
  });

  t.test('a command that does not exist: 127, as tini', async (t) => {
    await run(d, 'n1', ['/nonexistent'], true);
    t.equal(await waitExit(d, 'n1'), 127);
  });
});
