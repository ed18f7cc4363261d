/**
 * The network driver over the fake backend: networks, endpoints, published ports, nothing
 * half-set-up on failure, and start-up after a stop or a crash (adopt, drop stale, rebuild rules).
 */
import t, { type Test } from 'tap';

import { NetworkDriver, type NetworkConfig } from '../../drivers/network/driver.js';
import { FakeBackend, FakeKernel } from '../../drivers/network/fake.js';
import { kindOf } from '../../protocol/errdefs.js';
import { tempLevel } from '../helpers/level.js';

interface Rig {
  kernel: FakeKernel;
  driver: NetworkDriver;
  /** A new driver over the same database and kernel: the daemon restarted. */
  restart(live?: (id: string) => boolean): Promise<NetworkDriver>;
}

async function rig(t: Test, config: NetworkConfig = {}): Promise<Rig> {
  const { db } = await tempLevel(t, 'netdrv');
  const kernel = new FakeKernel();
  const driver = new NetworkDriver(db, new FakeBackend(kernel), config);
  await driver.start();
  return {
    kernel,
    driver,
    restart: async (live) => {
      const d = new NetworkDriver(db, new FakeBackend(kernel), config);
      await d.start(live);
      return d;
    },
  };
}

const kind = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => kindOf(e));
const ns = (n: number) => ({ path: `/fake/ns/${n}` });
const elements = (k: FakeKernel, map: string) => [...(k.table?.maps.get(map)?.keys() ?? [])];

t.test('start creates the default network on berth0 and the table', async (t) => {
  const { kernel, driver } = await rig(t);
  const [bridge] = driver.list();
  t.match(bridge, { Name: 'bridge', bridge: 'berth0', subnet: '10.88.0.0/16', gateway: '10.88.0.1', isDefault: true });
  t.match(kernel.inNetns('').map((l) => l.name), ['berth0']);
  t.same(elements(kernel, 'fwd_in'), ['"berth0"']);
  t.ok(kernel.forwardAllowed.has('berth0'));
  t.equal(await kind(driver.removeNetwork('bridge')), 'Forbidden', 'the default network stays');
});

t.test('user networks: subnets from the pool, names unique, removal exact', async (t) => {
  const { kernel, driver } = await rig(t, { defaultSubnet: '10.90.0.0/16' });
  kernel.routes.push({ cidr: '10.89.0.0/24', dev: 'eth1' });
  const a = await driver.createNetwork({ name: 'a' });
  t.match(a, { subnet: '10.89.1.0/24', gateway: '10.89.1.1', bridge: `br-${a.Id.slice(0, 12)}` }, 'skips a host route');
  const b = await driver.createNetwork({ name: 'b', subnet: '10.91.0.0/24', gateway: '10.91.0.254', internal: true, options: { 'com.docker.network.bridge.enable_icc': 'false' } });
  t.match(b, { internal: true, icc: false, gateway: '10.91.0.254' });
  t.equal(await kind(driver.createNetwork({ name: 'a' })), 'Conflict', 'names are unique');
  t.equal(await kind(driver.createNetwork({ name: 'c', subnet: '10.91.0.128/25' })), 'Conflict', 'subnets do not overlap');
  t.equal(driver.network(a.Id.slice(0, 5)).Name, 'a', 'found by id prefix');
  t.equal(await kind(driver.removeNetwork('nope')), 'NotFound');
  await driver.removeNetwork('a');
  await driver.removeNetwork(b.Id);
  t.same(kernel.inNetns('').map((l) => l.name), ['berth0'], 'bridges gone');
  t.same(elements(kernel, 'fwd_in'), ['"berth0"'], 'their rules too');
  t.same([...kernel.table!.chains.keys()].filter((c) => c.startsWith('n-br-')), [], 'and their chains');
  t.same([...kernel.forwardAllowed], ['berth0']);
});

t.test('connect and disconnect', async (t) => {
  const { kernel, driver } = await rig(t);
  const net = await driver.createNetwork({ name: 'n', subnet: '10.92.0.0/24' });
  const ep = await driver.connect({ containerId: 'c1', containerName: 'web', netns: ns(1), network: 'n', aliases: ['www'], ports: [{ proto: 'tcp', hostIp: '', hostPort: 8080, containerPort: 80 }] });
  t.match(ep, { NetworkID: net.Id, IPAddress: '10.92.0.2', IPPrefixLen: 24, Gateway: '10.92.0.1', MacAddress: '02:42:0a:5c:00:02', Aliases: ['www'], ifName: 'eth0' });
  t.match(ep.hostVeth, /^vethb[0-9a-f]{10}$/);
  t.same(elements(kernel, 'ports_any'), ['tcp . 8080']);
  const inside = kernel.inNetns('/fake/ns/1');
  t.match(inside, [{ name: 'eth0', addresses: ['10.92.0.2/24'], mac: '02:42:0a:5c:00:02' }]);
  t.equal(await kind(driver.connect({ containerId: 'c1', containerName: 'web', netns: ns(1), network: 'n' })), 'Conflict', 'once per network');
  const second = await driver.connect({ containerId: 'c1', containerName: 'web', netns: ns(1), network: 'bridge' });
  t.equal(second.ifName, 'eth1', 'the next interface name');
  const fixed = await driver.connect({ containerId: 'c2', containerName: 'db', netns: ns(2), network: 'n', ip: '10.92.0.77' });
  t.equal(fixed.IPAddress, '10.92.0.77', 'a static address');
  t.equal(await kind(driver.connect({ containerId: 'c3', containerName: 'x', netns: ns(3), network: 'n', ip: '10.92.0.77' })), 'Conflict');
  t.equal(await kind(driver.removeNetwork('n')), 'Conflict', 'in use');

  await driver.disconnect('c1', 'n');
  t.same(elements(kernel, 'ports_any'), [], 'the port rule went');
  t.equal(kernel.ports.size, 0, 'and its host port hold');
  t.notOk(kernel.links.some((l) => l.name === ep.hostVeth), 'the veth went');
  t.notOk(driver.ipam.allocations(net.Id).has('10.92.0.2'), 'the address was released');
  t.equal(await kind(driver.disconnect('c1', 'n')), 'NotFound');
  await driver.disconnect('c2', 'n');
  await driver.removeNetwork('n');
});

t.test('a taken host port fails the connect with nothing left behind', async (t) => {
  const { kernel, driver } = await rig(t);
  kernel.occupy('tcp', '', 9090);
  const before = kernel.links.length;
  const err = await driver
    .connect({ containerId: 'c1', containerName: 'web', netns: ns(1), network: 'bridge', ports: [{ proto: 'tcp', hostIp: '', hostPort: 9091, containerPort: 81 }, { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 9090, containerPort: 80 }] })
    .then(() => null, (e: Error) => e);
  t.match(err, { kind: 'Conflict', message: 'Bind for 127.0.0.1:9090 failed: port is already allocated' });
  t.equal(kernel.links.length, before, 'no veth');
  t.same([...kernel.ports.keys()], ['tcp/0.0.0.0/9090'], 'the first port was let go again');
  t.same(elements(kernel, 'ports_any'), []);
  t.same(driver.endpointsOf(), []);
  const bridge = driver.network('bridge');
  t.same([...driver.ipam.allocations(bridge.Id).values()], ['gateway'], 'the address was released');

  kernel.table = null; // an nft failure half-way: the table vanished under us
  t.equal(await kind(driver.connect({ containerId: 'c1', containerName: 'web', netns: ns(1), network: 'bridge', ports: [{ proto: 'tcp', hostIp: '', hostPort: 9092, containerPort: 80 }] })), 'System');
  t.equal(kernel.links.length, before, 'no veth after a rule failure either');
  t.equal(kernel.ports.size, 1, 'nor a port hold');
});

t.test('restart: bridges adopted, live endpoints kept, dead ones dropped, stale veths deleted', async (t) => {
  const r = await rig(t);
  await r.driver.createNetwork({ name: 'n', subnet: '10.93.0.0/24' });
  const keep = await r.driver.connect({ containerId: 'live', containerName: 'a', netns: ns(1), network: 'n', ports: [{ proto: 'tcp', hostIp: '', hostPort: 7000, containerPort: 80 }] });
  const dead = await r.driver.connect({ containerId: 'dead', containerName: 'b', netns: ns(2), network: 'n' });
  const gone = await r.driver.connect({ containerId: 'gone', containerName: 'c', netns: ns(3), network: 'bridge' });
  const bridges = r.kernel.inNetns('').filter((l) => l.kind === 'bridge').map((l) => l.index);
  r.kernel.add({ name: 'vethbdeadbeef00', kind: 'veth', mtu: 1500, netns: '', master: bridges[0]! });
  r.kernel.add({ name: 'vethbnotours000', kind: 'veth', mtu: 1500, netns: '' });
  // Crash: the ports' holders die with the daemon; container 'gone' died meanwhile.
  r.kernel.ports.clear();
  r.kernel.killNetns('/fake/ns/3');

  const d = await r.restart((id) => id !== 'dead');
  t.same(d.endpointsOf().map((e) => e.containerId), ['live'], 'only the live endpoint stays');
  t.same(r.kernel.inNetns('').filter((l) => l.kind === 'bridge').map((l) => l.index), bridges, 'the same bridges, adopted');
  const names = r.kernel.inNetns('').map((l) => l.name);
  t.ok(names.includes(keep.hostVeth), 'the live veth is kept');
  t.notOk(names.includes(dead.hostVeth), 'the dead container\'s veth is deleted');
  t.notOk(names.includes(gone.hostVeth));
  t.notOk(names.includes('vethbdeadbeef00'), 'a stale veth on our bridge is deleted');
  t.ok(names.includes('vethbnotours000'), 'a veth on no bridge of ours is left alone');
  t.same(elements(r.kernel, 'ports_any'), ['tcp . 7000'], 'the live endpoint\'s port rule is rebuilt');
  t.same([...r.kernel.ports.keys()], ['tcp/0.0.0.0/7000'], 'and its port held again');
  const n = d.network('n');
  t.same([...d.ipam.allocations(n.Id).keys()].sort(), ['10.93.0.1', keep.IPAddress], 'dead addresses released');
  t.equal((await d.connect({ containerId: 'new', containerName: 'd', netns: ns(4), network: 'n' })).IPAddress, '10.93.0.4', 'allocation continues after the cursor');
});

t.test('a changed default subnet replaces the unused default network', async (t) => {
  const r = await rig(t);
  const d = await (async () => {
    r.driver.config.defaultSubnet = '10.94.0.0/24';
    return r.restart();
  })();
  t.match(d.network('bridge'), { subnet: '10.94.0.0/24', gateway: '10.94.0.1' });
  t.match(r.kernel.inNetns('')[0], { name: 'berth0', addresses: ['10.94.0.1/24'] });
});

t.test('shutdown drops the table and port holds; removeAll leaves nothing', async (t) => {
  const r = await rig(t);
  await r.driver.connect({ containerId: 'c', containerName: 'a', netns: ns(1), network: 'bridge', ports: [{ proto: 'udp', hostIp: '', hostPort: 0, containerPort: 53 }] });
  await r.driver.shutdown();
  t.equal(r.kernel.table, null);
  t.equal(r.kernel.ports.size, 0);
  t.ok(r.kernel.links.some((l) => l.name === 'berth0'), 'bridges stay for live containers');
  const d = await r.restart();
  t.ok(r.kernel.table, 'start rebuilds the table');
  await d.shutdown({ removeAll: true });
  t.same(r.kernel.links, []);
  t.equal(r.kernel.table, null);
  t.equal(r.kernel.forwardAllowed.size, 0);
});

t.test("an exited container's veth goes in the background; its address after it; settled tells when", async (t) => {
  const { kernel, driver } = await rig(t);
  const net = await driver.createNetwork({ name: 'n', subnet: '10.93.0.0/24' });
  const ep = await driver.connect({ containerId: 'c1', containerName: 'web', netns: ns(1), network: 'n' });
  const backend = driver.backend as FakeBackend;
  const deleteLink = backend.deleteLink.bind(backend);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  backend.deleteLink = async (name: string) => {
    await gate;
    return deleteLink(name);
  };

  await driver.disconnect('c1', 'n', { lingering: true });
  t.same(driver.endpointsOf(net.Id), [], 'the endpoint is gone at once');
  t.ok(kernel.inNetns('').some((l) => l.name === ep.hostVeth), 'its veth is still being deleted');
  t.equal(driver.ipam.allocations(net.Id).get(ep.IPAddress), ep.EndpointID, 'the address is held until the veth is gone');
  let settled = false;
  const done = driver.settled('c1').then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  t.notOk(settled, 'settled waits for the deletion');

  open();
  await done;
  t.notOk(kernel.inNetns('').some((l) => l.name === ep.hostVeth), 'the veth is gone');
  t.notOk(driver.ipam.allocations(net.Id).has(ep.IPAddress), 'and then the address was released');
  await driver.settled('c1');
  t.pass('settled of a container with nothing pending resolves');
});
