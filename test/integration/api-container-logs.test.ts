/**
 * json-file log rotation on the native runtime: `--log-opt max-size=1k --log-opt max-file=3`
 * keeps at most 3 files of about 1k, `logs` reads them in order (also --tail), `logs -f` follows
 * across rotations; LogConfig checks at create and the `none` driver, as dockerd.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { nativeMissing } from '../conformance/execdriver-native-fixture.js';
import { createContainer, demux, importBusybox } from '../helpers/containers.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

const json = { 'content-type': 'application/json' };
const ROTATED = { Type: 'json-file', Config: { 'max-size': '1k', 'max-file': '3' } };

async function start(d: TestDaemon, name: string, cmd: string[], LogConfig: object): Promise<string> {
  const id = await createContainer(d, { Cmd: cmd, HostConfig: { NetworkMode: 'none', LogConfig } }, name);
  const s = await d.request('POST', `/containers/${name}/start`);
  if (s.status !== 204) throw new Error(`start ${name}: ${s.status} ${s.body}`);
  return id;
}

async function logs(d: TestDaemon, name: string, query = ''): Promise<string[]> {
  const r = await d.request('GET', `/containers/${name}/logs?stdout=1${query}`);
  return demux(Buffer.from(r.body, 'latin1')).stdout.split('\n').filter(Boolean);
}

/** Lines line-a … line-b, each exactly once and in order. */
function consecutive(lines: string[]): boolean {
  const n = lines.map((l) => Number(l.replace('line-', '')));
  return n.every((x, i) => i === 0 || x === n[i - 1]! + 1);
}

t.test('json-file rotation on the native runtime', { skip: nativeMissing() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(async () => {
    for (const c of (await d.request('GET', '/containers/json?all=1')).json<{ Id: string }[]>()) await d.request('DELETE', `/containers/${c.Id}?force=1`);
    await d.close();
  });
  await importBusybox(d);

  t.test('at most max-file files of about max-size; logs reads them oldest first', async (t) => {
    await start(d, 'many', ['sh', '-c', 'i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done'], ROTATED);
    await d.request('POST', '/containers/many/wait');
    const c = (await d.request('GET', '/containers/many/json')).json<{ LogPath: string; HostConfig: { LogConfig: object } }>();
    t.same(c.HostConfig.LogConfig, ROTATED);
    const base = path.basename(c.LogPath);
    const files = readdirSync(path.dirname(c.LogPath)).filter((f) => f.startsWith(base)).sort();
    t.same(files, [base, `${base}.1`, `${base}.2`], 'the live file and two rotated ones');
    // dockerd rotates once a file has reached max-size: it may pass it by one entry.
    for (const f of files) t.ok(statSync(path.join(path.dirname(c.LogPath), f)).size <= 1100, `${f} is about 1k`);
    const lines = await logs(d, 'many');
    t.equal(lines.at(-1), 'line-299', 'the newest line last');
    t.ok(lines.length > 20 && lines.length < 300, `${lines.length} lines kept`);
    t.ok(consecutive(lines), 'in order, none missing in between');
    t.same(await logs(d, 'many', '&tail=3'), ['line-297', 'line-298', 'line-299']);
    t.same(await logs(d, 'many', `&since=${Math.floor(Date.now() / 1000) + 60}`), [], 'since: nothing newer');
  });

  t.test('logs -f follows across rotations', async (t) => {
    await start(d, 'slow', ['sh', '-c', 'i=0; while [ $i -lt 60 ]; do echo line-$i; i=$((i+1)); sleep 0.03; done'], ROTATED);
    const lines = await logs(d, 'slow', '&follow=1');
    t.equal(lines.length, 60, 'every line, through about four rotations');
    t.ok(consecutive(lines) && lines[0] === 'line-0');
  });

  t.test('max-file 1: the file starts over in place', async (t) => {
    await start(d, 'one', ['sh', '-c', 'i=0; while [ $i -lt 100 ]; do echo line-$i; i=$((i+1)); done'], { Type: 'json-file', Config: { 'max-size': '1k' } });
    await d.request('POST', '/containers/one/wait');
    const logPath = (await d.request('GET', '/containers/one/json')).json<{ LogPath: string }>().LogPath;
    t.same(readdirSync(path.dirname(logPath)).filter((f) => f.startsWith(path.basename(logPath))), [path.basename(logPath)]);
    t.equal((await logs(d, 'one')).at(-1), 'line-99');
  });

  t.test('the none driver keeps no log; logs says it cannot read', async (t) => {
    await start(d, 'quiet', ['echo', 'hi'], { Type: 'none', Config: {} });
    await d.request('POST', '/containers/quiet/wait');
    const c = (await d.request('GET', '/containers/quiet/json')).json<{ LogPath: string }>();
    t.equal(c.LogPath, '');
    const r = await d.request('GET', '/containers/quiet/logs?stdout=1');
    t.equal(r.status, 501);
    t.same(r.json(), { message: 'configured logging driver does not support reading' });
  });

  t.test("bad log configs are refused at create with dockerd's words", async (t) => {
    const create = (LogConfig: object) => d.request('POST', '/containers/create', { body: JSON.stringify({ Image: 'busybox', HostConfig: { LogConfig } }), headers: json });
    for (const [lc, message] of [
      [{ Type: 'gelf' }, "logger: no log driver named 'gelf' is registered"],
      [{ Type: 'json-file', Config: { 'max-size': '1q' } }, "invalid suffix: 'q'"],
      [{ Type: 'json-file', Config: { bogus: '1' } }, "unknown log opt 'bogus' for json-file log driver"],
    ] as const) {
      const r = await create(lc);
      t.equal(r.status, 400, message);
      t.same(r.json(), { message });
    }
  });
});
