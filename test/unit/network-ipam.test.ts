/** IPAM: allocation order, release and reuse, exhaustion, static addresses, ip-range, persistence. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Level } from 'level';
import t, { type Test } from 'tap';

import { GATEWAY_OWNER, Ipam } from '../../drivers/network/ipam.js';
import { formatCidr, overlaps, parseCidr } from '../../drivers/network/ipv4.js';
import { pickSubnet } from '../../drivers/network/subnets.js';
import { kindOf } from '../../protocol/errdefs.js';

async function database(t: Test): Promise<{ open: () => Promise<Level<string, unknown>> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-ipam-'));
  let db: Level<string, unknown> | undefined;
  t.teardown(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    open: async () => {
      await db?.close();
      db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
      await db.open();
      return db;
    },
  };
}

function thrownKind(fn: () => unknown): string {
  try {
    fn();
    return 'returned';
  } catch (e) {
    return kindOf(e);
  }
}

const kind = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => kindOf(e));

t.test('allocates in order after the gateway, skipping network and broadcast', async (t) => {
  const ipam = new Ipam(await (await database(t)).open());
  await ipam.addPool('n1', { subnet: '10.5.0.0/29', gateway: '10.5.0.1' });
  const got = [];
  for (let i = 0; i < 5; i++) got.push(await ipam.allocate('n1', `ep${i}`));
  t.same(got, ['10.5.0.2', '10.5.0.3', '10.5.0.4', '10.5.0.5', '10.5.0.6']);
  t.equal(await kind(ipam.allocate('n1', 'ep5')), 'Unavailable', 'a /29 has 6 hosts, one is the gateway');
  t.equal(ipam.allocations('n1').get('10.5.0.1'), GATEWAY_OWNER);
});

t.test('a released address is reused only after the others', async (t) => {
  const ipam = new Ipam(await (await database(t)).open());
  await ipam.addPool('n', { subnet: '10.5.0.0/29', gateway: '10.5.0.1' });
  const a = await ipam.allocate('n', 'a');
  await ipam.allocate('n', 'b');
  await ipam.release('n', a);
  t.equal(await ipam.allocate('n', 'c'), '10.5.0.4', 'the cursor moves on');
  await ipam.allocate('n', 'd');
  await ipam.allocate('n', 'e');
  t.equal(await ipam.allocate('n', 'f'), a, 'then wraps round to the released one');
  await ipam.release('n', '10.5.0.1');
  t.equal(ipam.allocations('n').get('10.5.0.1'), GATEWAY_OWNER, 'the gateway is never released');
  await ipam.release('n', '10.5.0.9');
  t.pass('releasing a free or foreign address is a no-op');
});

t.test('static addresses', async (t) => {
  const ipam = new Ipam(await (await database(t)).open());
  await ipam.addPool('n', { subnet: '10.6.0.0/24', gateway: '10.6.0.1' });
  t.equal(await ipam.allocate('n', 'a', '10.6.0.50'), '10.6.0.50');
  t.equal(await kind(ipam.allocate('n', 'b', '10.6.0.50')), 'Conflict', 'taken');
  t.equal(await kind(ipam.allocate('n', 'b', '10.6.0.1')), 'Conflict', 'the gateway');
  t.equal(await kind(ipam.allocate('n', 'b', '10.7.0.5')), 'InvalidParameter', 'outside the subnet');
  t.equal(await kind(ipam.allocate('n', 'b', '10.6.0.255')), 'InvalidParameter', 'the broadcast address');
  t.equal(await kind(ipam.allocate('n', 'b', '10.6.0.0')), 'InvalidParameter', 'the network address');
  t.equal(await kind(ipam.allocate('n', 'b', 'nonsense')), 'InvalidParameter');
  t.equal(await kind(ipam.allocate('nope', 'b')), 'NotFound', 'an unknown network');
});

t.test('ip-range limits dynamic addresses, not static ones', async (t) => {
  const ipam = new Ipam(await (await database(t)).open());
  await ipam.addPool('n', { subnet: '10.8.0.0/16', gateway: '10.8.0.1', ipRange: '10.8.5.0/30' });
  const got = [];
  for (const owner of ['a', 'b', 'c', 'd']) got.push(await ipam.allocate('n', owner));
  t.same(got, ['10.8.5.0', '10.8.5.1', '10.8.5.2', '10.8.5.3'], 'the range\'s own first and last are hosts of the subnet');
  t.equal(await kind(ipam.allocate('n', 'e')), 'Unavailable', 'the range is exhausted');
  t.equal(await ipam.allocate('n', 'f', '10.8.9.9'), '10.8.9.9', 'a static address outside the range but inside the subnet');
  t.equal(await kind(ipam.addPool('m', { subnet: '10.9.0.0/16', gateway: '10.9.0.1', ipRange: '10.10.0.0/24' })), 'InvalidParameter');
  t.equal(await kind(ipam.addPool('m', { subnet: '10.9.0.0/16', gateway: '10.10.0.1' })), 'InvalidParameter', 'gateway outside');
  t.equal(await kind(ipam.addPool('m', { subnet: '10.9.0.1/16', gateway: '10.9.0.1' })), 'InvalidParameter', 'host bits set');
  t.equal(await kind(ipam.addPool('m', { subnet: '10.9.0.0/31', gateway: '10.9.0.1' })), 'InvalidParameter', 'too small');
});

t.test('allocations and the cursor survive a reopen; removed pools leave nothing', async (t) => {
  const store = await database(t);
  const spec = { subnet: '10.11.0.0/24', gateway: '10.11.0.1' };
  let ipam = new Ipam(await store.open());
  await ipam.addPool('n', spec);
  await ipam.addPool('gone', { subnet: '10.12.0.0/24', gateway: '10.12.0.1' });
  await ipam.allocate('n', 'a');
  await ipam.allocate('n', 'b', '10.11.0.3');
  await ipam.allocate('n', 'c');
  await ipam.release('n', '10.11.0.2');
  await ipam.allocate('gone', 'x');
  await ipam.removePool('gone');

  ipam = new Ipam(await store.open());
  await ipam.open(new Map([['n', spec], ['gone', { subnet: '10.12.0.0/24', gateway: '10.12.0.1' }]]));
  t.same(Object.fromEntries(ipam.allocations('n')), { '10.11.0.1': GATEWAY_OWNER, '10.11.0.3': 'b', '10.11.0.4': 'c' });
  t.same(Object.fromEntries(ipam.allocations('gone')), {}, 'the removed pool left no allocation behind');
  t.equal(await ipam.allocate('n', 'd'), '10.11.0.5', 'the cursor was persisted: .2 is not reused first');
});

t.test('subnets for new networks avoid existing ones and host routes', async (t) => {
  const pools = [{ base: '10.89.0.0/16', size: 24 }];
  t.equal(pickSubnet(pools, []), '10.89.0.0/24');
  t.equal(pickSubnet(pools, ['10.89.0.0/24', '10.89.1.128/25']), '10.89.2.0/24');
  t.equal(pickSubnet(pools, ['10.89.0.0/23']), '10.89.2.0/24');
  t.equal(thrownKind(() => pickSubnet(pools, ['10.0.0.0/8'])), 'Unavailable');
  t.ok(overlaps(parseCidr('10.88.0.0/16'), parseCidr('10.88.4.0/24')));
  t.notOk(overlaps(parseCidr('10.88.0.0/16'), parseCidr('172.17.0.0/16')), 'the default subnet misses Docker\'s');
  t.equal(formatCidr(parseCidr('10.1.2.3/8', false)), '10.0.0.0/8');
});
