/**
 * Two daemons on one (fake) host, as parallel tests and CI run them: each has its own default bridge
 * and nft table, and nothing one does at start-up, at work or at shutdown touches the other's
 * table, bridges, veths or ports.
 */
import t, { type Test } from 'tap';

import { NetworkDriver, type NetworkConfig } from '../../drivers/network/driver.js';
import { FakeBackend, FakeKernel } from '../../drivers/network/fake.js';
import { tempLevel } from '../helpers/level.js';

async function daemon(t: Test, kernel: FakeKernel, config: NetworkConfig): Promise<{ driver: NetworkDriver; restart(): Promise<NetworkDriver> }> {
  const { db } = await tempLevel(t, 'netdmn');
  const driver = new NetworkDriver(db, new FakeBackend(kernel), config);
  await driver.start();
  return {
    driver,
    restart: async () => {
      const d = new NetworkDriver(db, new FakeBackend(kernel), config);
      await d.start();
      return d;
    },
  };
}

const ns = (n: number) => ({ path: `/fake/ns/${n}` });
const hostLinks = (k: FakeKernel) => k.inNetns('').map((l) => l.name).sort();

t.test('each daemon has its own table and bridges; neither start-up nor shutdown touches the other', async (t) => {
  const kernel = new FakeKernel();
  const a = await daemon(t, kernel, {});
  const b = await daemon(t, kernel, { defaultBridge: 'berth-b', defaultSubnet: '10.160.1.0/24' });
  t.equal(a.driver.table, 'inet berth', 'the default daemon keeps inet berth');
  t.equal(b.driver.table, 'inet berth-berth-b');
  t.same([...kernel.tables.keys()].sort(), ['inet berth', 'inet berth-berth-b']);

  const na = await a.driver.createNetwork({ name: 'na', subnet: '10.161.0.0/24' });
  const ea = await a.driver.connect({ containerId: 'ca', containerName: 'a', netns: ns(1), network: 'na', ports: [{ proto: 'tcp', hostIp: '', hostPort: 7001, containerPort: 80 }] });
  // A veth of A's that A's database does not know (A crashed mid-connect): only A may delete it.
  kernel.add({ name: 'vethbaaaaaaaaaa', kind: 'veth', mtu: 1500, netns: '', master: kernel.links.find((l) => l.name === na.bridge)!.index });
  const before = { links: hostLinks(kernel).filter((n) => n !== 'berth-b'), table: JSON.stringify([...kernel.tables.get('inet berth')!.maps].map(([k, v]) => [k, [...v]])) };

  const b2 = await b.restart();
  await b2.createNetwork({ name: 'nb', subnet: '10.161.1.0/24' });
  await b2.connect({ containerId: 'cb', containerName: 'b', netns: ns(2), network: 'nb', ports: [{ proto: 'tcp', hostIp: '', hostPort: 7002, containerPort: 80 }] });
  await b2.shutdown({ removeAll: true });

  t.same(hostLinks(kernel), before.links, "A's bridges and veths (even the one A does not know) are all there");
  t.equal(JSON.stringify([...kernel.tables.get('inet berth')!.maps].map(([k, v]) => [k, [...v]])), before.table, "A's rules are untouched");
  t.same([...kernel.tables.keys()], ['inet berth'], "B's table went with B's last network");
  t.ok(kernel.ports.has('tcp/0.0.0.0/7001'), "A's port is still held");
  t.ok(kernel.links.some((l) => l.name === ea.hostVeth));
  const a2 = await a.restart();
  t.notOk(hostLinks(kernel).includes('vethbaaaaaaaaaa'), "A's own start-up drops its stale veth");
  await a2.shutdown({ removeAll: true });
  t.same(kernel.links, [], 'nothing left of either');
});
