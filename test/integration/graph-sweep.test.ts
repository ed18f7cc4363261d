/**
 * The start-up sweep: a daemon killed (SIGKILL) in the middle of a pull leaves a half-applied layer
 * tree; the next daemon on the same data root removes it before anything runs, and a new pull works.
 * A driver directory the image side never journaled (a container's writable layer) is left alone.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { request, startTestDaemon, testDir } from '../helpers/daemon.js';
import { randomImage } from '../helpers/images.js';
import { startFakeRegistry } from '../helpers/registry-fake.js';

const helpers = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'daemon.js');
const layerDirs = (dir: string) => (existsSync(path.join(dir, 'data', 'vfs')) ? readdirSync(path.join(dir, 'data', 'vfs')) : []);

/** A daemon in a child process on `dir`, so that it can be killed outright. */
async function childDaemon(dir: string): Promise<{ pid: number; socket: string; kill(): Promise<void> }> {
  const code = `const { startTestDaemon } = await import(${JSON.stringify(helpers)}); await startTestDaemon({ storageDriver: 'vfs' }, {}, ${JSON.stringify(dir)}); console.log('ready');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    child.once('exit', (c) => reject(new Error(`child daemon exited with ${c}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { pid: child.pid!, socket: path.join(dir, 'berth.sock'), kill: () => (child.kill('SIGKILL'), exited) };
}

t.test('a pull killed half-way leaves nothing after a restart', async (t) => {
  const reg = await startFakeRegistry();
  t.teardown(() => reg.close());
  const img = await randomImage({ layers: 2, totalBytes: 4 * 1024 * 1024 });
  reg.add('slow', 'latest', img);
  for (const l of img.layers) reg.faults.slow.set(l.digest, 256 * 1024);
  const dir = testDir();
  const child = await childDaemon(dir);
  t.teardown(() => child.kill());

  const pulling = request(child.socket, 'POST', `/images/create?fromImage=${reg.host}/slow&tag=latest`).catch(() => undefined);
  for (let i = 0; i < 200 && layerDirs(dir).filter((n) => !n.startsWith('.')).length === 0; i++) await sleep(50);
  await sleep(300); // some bytes of the layer are applied
  await child.kill();
  await pulling;
  const orphans = layerDirs(dir).filter((n) => !n.startsWith('.'));
  t.ok(orphans.length > 0, 'the killed pull left layer trees behind');
  const containerLayer = path.join(dir, 'data', 'vfs', 'c'.repeat(64));
  mkdirSync(containerLayer); // as a container's writable layer would be: not the image side's to sweep

  const d = await startTestDaemon({ storageDriver: 'vfs' }, {}, dir);
  t.teardown(() => d.close());
  t.same(layerDirs(dir), ['c'.repeat(64)], 'the orphaned trees are gone, the unjournaled directory stays');
  const splits = path.join(dir, 'data', 'image', 'tar-split');
  t.same(existsSync(splits) ? readdirSync(splits) : [], [], 'no tar-split records of the orphans');
  t.same((await d.request('GET', '/images/json')).json(), []);
  reg.faults.slow.clear();
  t.match((await d.request('POST', `/images/create?fromImage=${reg.host}/slow&tag=latest`)).body, /Downloaded newer image/, 'a new pull works');
  t.equal(layerDirs(dir).length, 3, 'its two layers and the container directory');
});
