/**
 * A host set up as Docker leaves it: br_netfilter passing bridged packets to iptables, and iptables'
 * FORWARD policy DROP. Built inside a throwaway namespace standing for the host (the real host's
 * firewall is never touched): containers on a berth bridge must still reach each other, thanks to
 * the driver's own accept rules in FORWARD, which go away with the network.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Level } from 'level';
import t from 'tap';

import { loadNative } from '../../drivers/native/addon.js';
import { NetworkDriver } from '../../drivers/network/driver.js';
import { NativeBackend } from '../../drivers/network/native.js';
import { netnsChild } from '../conformance/networkdriver-netns.js';
import { probes } from '../helpers/probes.js';

const NF_CALL = 'net/bridge/bridge-nf-call-iptables';

t.test('FORWARD policy DROP with br_netfilter', { skip: probes.root() }, async (t) => {
  const native = loadNative();
  const host = await netnsChild(t);
  try {
    native.sysctlWrite(NF_CALL, '1', { netns: host.path });
  } catch (e) {
    t.pass(`skipped: no per-namespace br_netfilter here: ${(e as Error).message}`);
    return;
  }
  await host.exec('iptables-nft', ['-P', 'FORWARD', 'DROP']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-test-netdb-'));
  const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
  await db.open();
  const backend = new NativeBackend({ hostNetns: host.path });
  const driver = new NetworkDriver(db, backend, { defaultBridge: 'berth-fd', defaultSubnet: '10.193.0.0/24' });
  t.teardown(async () => {
    await driver.shutdown({ removeAll: true }).catch(() => undefined);
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await driver.start();
  const [a, b] = [await netnsChild(t), await netnsChild(t)];
  await driver.connect({ containerId: 'a'.repeat(64), containerName: 'a', netns: { pid: a.pid }, network: 'bridge' });
  const epB = await driver.connect({ containerId: 'b'.repeat(64), containerName: 'b', netns: { pid: b.pid }, network: 'bridge' });

  const rules = await host.exec('iptables-nft', ['-S', 'FORWARD']);
  t.match(rules, '-A FORWARD -o berth-fd -m comment --comment "berth:berth-fd" -j ACCEPT');
  t.match(rules, '-A FORWARD -i berth-fd -m comment --comment "berth:berth-fd" -j ACCEPT');
  t.ok(a.ok('busybox', ['ping', '-c', '1', '-W', '2', epB.IPAddress]), 'a pings b across the bridge');

  await backend.disallowForward('berth-fd');
  t.notOk(a.ok('busybox', ['ping', '-c', '1', '-W', '1', epB.IPAddress]), 'without the accept rules the DROP policy wins (the setting is real)');
  await backend.allowForward('berth-fd');
  t.ok(a.ok('busybox', ['ping', '-c', '1', '-W', '2', epB.IPAddress]), 'and with them back, traffic flows again');

  await driver.shutdown({ removeAll: true });
  t.notMatch(await host.exec('iptables-nft', ['-S', 'FORWARD']), 'berth', 'the accept rules went with the network');
  t.equal(native.linkGet('berth-fd', { netns: host.path }), null, 'the bridge is gone');
});
