/**
 * The json-file log reader across the shim's rotations (NAME.2, NAME.1, NAME), following the live
 * file through a rename, and dockerd's LogConfig checks at create.
 */
import { appendFileSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { followLog, LiveLog, readAll, rotatedFiles } from '../../actors/container/logfiles.js';
import { fromHumanSize, logAnnotations, logConfigAtCreate } from '../../actors/services/containers/logconfig.js';
import type { JsonLogEntry } from '../../drivers/exec/jsonlog.js';

const line = (log: string) => `${JSON.stringify({ log: `${log}\n`, stream: 'stdout', time: '2024-01-01T00:00:00Z' })}\n`;
const texts = (e: JsonLogEntry[]) => e.map((x) => x.log.trim());

function tmp(t: Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logs-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('rotated files come oldest first, then the live file', async (t) => {
  const dir = tmp(t);
  const log = path.join(dir, 'c-json.log');
  writeFileSync(`${log}.2`, line('a') + line('b'));
  writeFileSync(`${log}.10`, line('old'));
  writeFileSync(`${log}.1`, line('c'));
  writeFileSync(log, line('d') + '{"partial');
  writeFileSync(`${log}.x`, line('not ours'));
  t.same(await rotatedFiles(log), [`${log}.10`, `${log}.2`, `${log}.1`]);
  const live = new LiveLog(log);
  t.same(texts(await readAll(live)), ['old', 'a', 'b', 'c', 'd'], 'a partial last line waits for its end');
  appendFileSync(log, '":"e\\n","stream":"stdout","time":"2024-01-01T00:00:00Z"}\n');
  t.same((await live.next()).map((e) => (e as unknown as { partial: string }).partial), ['e\n'], 'the rest of the line completes it');
  await live.close();
  t.same(await rotatedFiles(''), [], 'no log (driver none): nothing');
});

t.test('the live file is followed across a rotation and across an unlink (max-file 1)', async (t) => {
  const dir = tmp(t);
  const log = path.join(dir, 'c-json.log');
  writeFileSync(log, line('1'));
  const live = new LiveLog(log);
  t.same(texts(await readAll(live)), ['1']);
  appendFileSync(log, line('2'));
  renameSync(log, `${log}.1`);
  writeFileSync(log, line('3'));
  t.same(texts(await live.next()), ['2', '3'], 'the rest of the renamed file, then the new one');
  appendFileSync(log, line('4'));
  unlinkSync(log);
  t.same(texts(await live.next()), ['4'], 'an unlinked file is read to its end');
  writeFileSync(log, line('5'));
  t.same(texts(await live.next()), ['5']);
  await live.close();
});

t.test('followLog sees writes and rotations until stopped', async (t) => {
  const dir = tmp(t);
  const log = path.join(dir, 'c-json.log');
  writeFileSync(log, '');
  const live = new LiveLog(log);
  await readAll(live);
  const seen: string[] = [];
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const done = followLog(live, (e) => seen.push(...texts(e)), stopped);
  const pause = () => new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 6; i++) {
    appendFileSync(log, line(`n${i}`));
    if (i % 2 === 1) {
      renameSync(log, `${log}.1`);
      writeFileSync(log, '');
    }
    await pause();
  }
  stop();
  await done;
  t.same(seen, ['n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
});

t.test("LogConfig at create: dockerd's defaults, checks and messages", async (t) => {
  t.same(logConfigAtCreate(undefined), { Type: 'json-file', Config: {} });
  t.same(logConfigAtCreate({ Type: '', Config: { 'max-size': '1k' } }), { Type: 'json-file', Config: { 'max-size': '1k' } });
  t.same(logConfigAtCreate({ Type: 'none', Config: {} }), { Type: 'none', Config: {} });
  const refuse = (lc: { Type?: string; Config?: Record<string, string> }, message: string) =>
    t.throws(() => logConfigAtCreate(lc), { kind: 'InvalidParameter', message }, message);
  refuse({ Type: 'syslog' }, "logger: no log driver named 'syslog' is registered");
  refuse({ Type: 'json-file', Config: { 'max-sise': '1' } }, "unknown log opt 'max-sise' for json-file log driver");
  refuse({ Config: { 'max-size': '10x' } }, "invalid suffix: 'x'");
  refuse({ Config: { 'max-size': 'abc' } }, "invalid size: 'abc'");
  refuse({ Config: { 'max-size': '0' } }, 'max-size must be a positive number');
  refuse({ Config: { 'max-file': '0' } }, 'max-file cannot be less than 1');
  refuse({ Config: { 'max-file': 'two' } }, 'strconv.Atoi: parsing "two": invalid syntax');
  refuse({ Config: { compress: 'true' } }, 'compress cannot be true when max-file is less than 2 or max-size is not set');
  refuse({ Config: { compress: 'true', 'max-size': '1m', 'max-file': '3' } }, 'compress is not supported by the json-file log driver of berth: rotated logs are kept uncompressed');
  refuse({ Config: { mode: 'fast' } }, 'logger: logging mode not supported: fast');
  t.ok(logConfigAtCreate({ Config: { compress: 'false', mode: 'non-blocking', 'max-buffer-size': '4m' } }));
});

t.test("sizes as go-units' FromHumanSize (decimal) and the shim's annotations", async (t) => {
  t.equal(fromHumanSize('10m'), 10_000_000);
  t.equal(fromHumanSize('1k'), 1000);
  t.equal(fromHumanSize('1KiB'), 1000);
  t.equal(fromHumanSize('1.5kb'), 1500);
  t.equal(fromHumanSize('512'), 512);
  t.equal(fromHumanSize('2 g'), 2e9);
  t.same(logAnnotations({ Type: 'json-file', Config: { 'max-size': '1k', 'max-file': '3' } }), { 'berth.log.max-size': '1000', 'berth.log.max-file': '3' });
  t.same(logAnnotations({ Type: 'none', Config: {} }), { 'berth.log.driver': 'none' });
  t.same(logAnnotations(undefined), {});
});
