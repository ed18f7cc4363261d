/**
 * The network driver on the real host (root): a default bridge and two user networks of our own
 * (private 10.197.x subnets, bridge names berth…/br-…), three `unshare --net` "containers", busybox
 * httpd / wget / ping between them, a published port answering on 127.0.0.1, and afterwards no
 * bridge, veth, address, nft table or port hold left. Traffic stays on our bridges and loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { Level } from 'level';
import t, { type Test } from 'tap';

import { loadNative } from '../../drivers/native/addon.js';
import { NetworkDriver, type EndpointInfo } from '../../drivers/network/driver.js';
import { NativeBackend } from '../../drivers/network/native.js';
import { netnsChild, until, type NetnsChild } from '../conformance/networkdriver-netns.js';
import { probes } from '../helpers/probes.js';

const x = process.pid % 200;

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function httpd(t: Test, c: NetnsChild, text: string): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-test-www-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'index.html'), text);
  c.spawn('busybox', ['httpd', '-f', '-p', '80', '-h', dir]);
}

/** Whether the nft table ("inet berth-…") exists: each driver has its own (named after its default bridge). */
function tableExists(table: string): boolean {
  try {
    execFileSync('nft', ['list', 'table', ...table.split(' ')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

t.test('two containers on a user network, one on another, a published port', { skip: probes.root() }, async (t) => {
  const native = loadNative();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-test-netdb-'));
  const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
  await db.open();
  const driver = new NetworkDriver(db, new NativeBackend(), {
    defaultBridge: `berth-i${x}`, defaultSubnet: `10.197.${x}.0/24`, pools: [{ base: '10.196.0.0/16', size: 24 }],
  });
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) await driver.shutdown({ removeAll: true }).catch(() => undefined);
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await driver.start();
  t.ok(native.linkGet(`berth-i${x}`), 'the default bridge exists');
  t.ok(tableExists(driver.table), 'the nft table exists');

  const n1 = await driver.createNetwork({ name: 'n1' });
  const n2 = await driver.createNetwork({ name: 'n2' });
  // Let the host route between our two bridges (their own sysctls only), so that isolation is the rules' doing.
  for (const n of [n1, n2]) native.sysctlWrite(`net/ipv4/conf/${n.bridge}/forwarding`, '1');

  const [a, b, c] = [await netnsChild(t), await netnsChild(t), await netnsChild(t)];
  const epA = await driver.connect({ containerId: 'a'.repeat(64), containerName: 'a', netns: { pid: a.pid }, network: 'n1' });
  const epB = await driver.connect({
    containerId: 'b'.repeat(64), containerName: 'b', netns: { path: b.path }, network: 'n1',
    ports: [{ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerPort: 80 }, { proto: 'tcp', hostIp: '', hostPort: 0, containerPort: 80 }],
  });
  const epC = await driver.connect({ containerId: 'c'.repeat(64), containerName: 'c', netns: { pid: c.pid }, network: 'n2' });
  httpd(t, b, 'hello from b\n');
  httpd(t, c, 'hello from c\n');
  await until(() => a.ok('busybox', ['wget', '-q', '-O', '/dev/null', `http://${epB.IPAddress}/`]), 10_000, 'httpd in b');

  t.equal(await a.exec('busybox', ['wget', '-q', '-O', '-', `http://${epB.IPAddress}/`]), 'hello from b\n', 'a reaches b by IP');
  t.ok(b.ok('busybox', ['ping', '-c', '1', '-W', '2', epA.IPAddress]), 'b pings a');
  t.ok(c.ok('busybox', ['ping', '-c', '1', '-W', '2', epC.Gateway]), 'c reaches its own gateway');
  t.notOk(c.ok('busybox', ['wget', '-q', '-O', '/dev/null', `http://${epB.IPAddress}/`]), 'c cannot reach b on another network');
  t.notOk(a.ok('busybox', ['wget', '-q', '-O', '/dev/null', `http://${epC.IPAddress}/`]), 'nor a reach c');

  const [loop, any] = epB.ports;
  t.equal(await get(loop!.hostPort), 'hello from b\n', `127.0.0.1:${loop!.hostPort} answers (published on 127.0.0.1)`);
  t.equal(await get(any!.hostPort), 'hello from b\n', `127.0.0.1:${any!.hostPort} answers (published on every address)`);

  // Other daemons on the host may make veths meanwhile: compare against what existed just before.
  const before = new Set(native.linkList('vethb').map((l) => l.name));
  const clash = await driver
    .connect({ containerId: 'd'.repeat(64), containerName: 'd', netns: { pid: c.pid }, network: 'n1', ports: [{ proto: 'tcp', hostIp: '', hostPort: any!.hostPort, containerPort: 80 }] })
    .then(() => null, (e: Error) => e);
  t.match(clash, { kind: 'Conflict', message: `Bind for 0.0.0.0:${any!.hostPort} failed: port is already allocated` });
  const mine = [epA.hostVeth, epB.hostVeth, epC.hostVeth];
  const now = native.linkList('vethb').map((l) => l.name);
  t.ok(mine.every((v) => now.includes(v)), 'our three veths are there');
  t.same(now.filter((v) => !before.has(v) && !mine.includes(v)), [], 'the refused connect left no veth');

  await driver.disconnect('b'.repeat(64), 'n1');
  t.equal(native.linkGet(epB.hostVeth), null, 'b\'s veth is gone');
  t.equal(native.linkGet('eth0', { netns: b.path }), null, 'and its end inside b');
  await t.rejects(get(loop!.hostPort), 'the published port no longer answers');
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(any!.hostPort, '127.0.0.1', r));
  await new Promise<void>((r) => free.close(() => r()));
  t.pass('and its host port is free again');

  await driver.shutdown({ removeAll: true });
  stopped = true;
  for (const name of [`berth-i${x}`, n1.bridge, n2.bridge, epA.hostVeth, epC.hostVeth]) t.equal(native.linkGet(name), null, `${name} is gone`);
  t.notOk(tableExists(driver.table), 'the nft table is gone');
});

/** A daemon stand-in in a child process: starts a driver, connects the namespace of `pid` with a published port, prints the endpoint. */
function crashingDaemon(dir: string, config: object, pid: number): ChildProcess {
  const url = (rel: string) => new URL(rel, import.meta.url).href;
  const code = `
    import { Level } from 'level';
    const { NetworkDriver } = await import(${JSON.stringify(url('../../drivers/network/driver.js'))});
    const { NativeBackend } = await import(${JSON.stringify(url('../../drivers/network/native.js'))});
    const db = new Level(${JSON.stringify(dir)}, { valueEncoding: 'json' });
    await db.open();
    const d = new NetworkDriver(db, new NativeBackend(), ${JSON.stringify(config)});
    await d.start();
    const ep = await d.connect({ containerId: 'a'.repeat(64), containerName: 'a', netns: { pid: ${pid} }, network: 'bridge', ports: [{ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerPort: 80 }] });
    console.log(JSON.stringify(ep));
    setInterval(() => {}, 1000);`;
  return spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
}

t.test('after kill -9 of the daemon, a new driver adopts its bridge and keeps the live endpoint working', { skip: probes.root() }, async (t) => {
  const native = loadNative();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-test-netdb-'));
  const config = { defaultBridge: `berth-r${x}`, defaultSubnet: `10.195.${x}.0/24` };
  const a = await netnsChild(t);
  const daemon = crashingDaemon(dir, config, a.pid);
  t.teardown(() => {
    if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
  });
  let out = '';
  daemon.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await until(() => out.includes('\n'), 20_000, 'the first daemon to connect the container');
  const ep = JSON.parse(out) as EndpointInfo;
  httpd(t, a, 'still here\n');
  const port = ep.ports[0]!.hostPort;
  await until(async () => (await get(port).catch(() => '')) === 'still here\n', 10_000, 'the published port');
  const index = native.linkGet(`berth-r${x}`)!.index;

  const died = new Promise((r) => daemon.once('exit', r));
  daemon.kill('SIGKILL');
  await died;
  native.vethCreate('vethbstale00001', 'vethcstale00001');
  native.linkSet('vethbstale00001', { master: `berth-r${x}` });

  const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
  await db.open();
  const driver = new NetworkDriver(db, new NativeBackend(), config);
  t.teardown(async () => {
    await driver.shutdown({ removeAll: true }).catch(() => undefined);
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await driver.start();
  t.equal(native.linkGet(`berth-r${x}`)?.index, index, 'the same bridge, adopted');
  t.equal(native.linkGet('vethbstale00001'), null, 'the stale veth on our bridge is deleted');
  t.ok(native.linkGet(ep.hostVeth), 'the live endpoint\'s veth is kept');
  t.equal(await get(port), 'still here\n', 'its published port answers again');
  await a.kill();
  await driver.shutdown();
  const again = new NetworkDriver(db, new NativeBackend(), config);
  await again.start();
  t.same(again.endpointsOf(), [], 'once the container is gone, the next start drops its endpoint');
  await again.shutdown({ removeAll: true });
  t.equal(native.linkGet(`berth-r${x}`), null, 'and removeAll leaves no bridge');
});

t.test('ICC off isolates containers from each other, not from the gateway; internal has no way out', { skip: probes.root() }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-test-netdb-'));
  const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
  await db.open();
  const driver = new NetworkDriver(db, new NativeBackend(), { defaultBridge: `berth-c${x}`, defaultSubnet: `10.192.${x}.0/24`, pools: [{ base: '10.191.0.0/16', size: 24 }] });
  t.teardown(async () => {
    await driver.shutdown({ removeAll: true }).catch(() => undefined);
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await driver.start();
  await driver.createNetwork({ name: 'quiet', internal: true, options: { 'com.docker.network.bridge.enable_icc': 'false' } });
  const [a, b] = [await netnsChild(t), await netnsChild(t)];
  const epA = await driver.connect({ containerId: 'a'.repeat(64), containerName: 'a', netns: { pid: a.pid }, network: 'quiet' });
  const epB = await driver.connect({ containerId: 'b'.repeat(64), containerName: 'b', netns: { pid: b.pid }, network: 'quiet' });
  t.equal(epA.Gateway, '', 'no gateway on an internal network');
  t.equal((await a.exec('ip', ['-4', 'route', 'show', 'default'])).trim(), '', 'no default route');
  const gateway = driver.network('quiet').gateway;
  t.ok(a.ok('busybox', ['ping', '-c', '1', '-W', '2', gateway]), 'the bridge answers');
  t.notOk(a.ok('busybox', ['ping', '-c', '1', '-W', '1', epB.IPAddress]), 'the other container does not');
});
