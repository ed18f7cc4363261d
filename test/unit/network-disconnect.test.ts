/**
 * network disconnect with and without Force, over the fake network backend and a stand-in for the
 * containers service: a container that no longer exists, or a stale endpoint of its name, goes
 * with Force; without it the usual NotFound answers.
 */
import t, { type Test } from 'tap';

import type { EngineContext } from '../../actors/context.js';
import { disconnect } from '../../actors/network/connect.js';
import type { ContainerRecord } from '../../actors/services/containers/record.js';
import { NetworkDriver } from '../../drivers/network/driver.js';
import { FakeBackend, FakeKernel } from '../../drivers/network/fake.js';
import { kindOf, notFound } from '../../protocol/errdefs.js';
import { tempLevel } from '../helpers/level.js';

type Method = (...args: unknown[]) => unknown;

async function rig(t: Test, containers: Array<Pick<ContainerRecord, 'Id' | 'Name'> & { networks: string[] }>) {
  const { db } = await tempLevel(t, 'netdisc');
  const kernel = new FakeKernel();
  const driver = new NetworkDriver(db, new FakeBackend(kernel), {});
  await driver.start();
  const net = await driver.createNetwork({ name: 'n' });
  const records = new Map(containers.map((c) => [c.Id, {
    Id: c.Id, Name: c.Name, HostConfig: { NetworkMode: 'n' }, State: { Running: true, Pid: 1 },
    NetworkSettings: { Networks: Object.fromEntries(c.networks.map((name) => [name, { NetworkID: net.Id }])) },
  } as unknown as ContainerRecord]));
  const events: string[] = [];
  const services: Record<string, Record<string, Method>> = {
    network: driver as unknown as Record<string, Method>,
    containers: {
      find: (ref) => [...records.values()].find((r) => r.Id === ref || r.Name === `/${String(ref)}`) ?? Promise.reject(notFound(`No such container: ${String(ref)}`)),
      patch: (id, patch) => void records.set(String(id), { ...records.get(String(id))!, ...(patch as object) }),
    },
  };
  const ctx = {
    engineId: 'e',
    call: async (s: string, m: string, args: unknown[]) => {
      const svc = services[s]!;
      return svc[m]!.apply(svc, args);
    },
    bus: { publish: (topic: string, e: { attributes: { container: string } }) => void events.push(`${topic} ${e.attributes.container}`) },
    log: { warn: () => undefined, info: () => undefined },
  } as unknown as EngineContext;
  const connect = (containerId: string, containerName: string, n: number) => driver.connect({ containerId, containerName, netns: { path: `/fake/ns/${n}` }, network: 'n' });
  return { ctx, driver, kernel, events, records, connect };
}

const kind = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => kindOf(e));

t.test('a container that no longer exists: 404 without Force, its endpoint deleted with it', async (t) => {
  const r = await rig(t, []);
  const ep = await r.connect('gone'.padEnd(64, '0'), 'ghost', 1);
  t.equal(await kind(disconnect(r.ctx, 'n', 'ghost', false)), 'NotFound', 'no such container');
  t.equal(r.driver.endpointsOf().length, 1, 'the endpoint stays');
  t.equal(await kind(disconnect(r.ctx, 'n', 'ghost', true)), 'ok', 'Force deletes the endpoint of that name');
  t.same(r.driver.endpointsOf(), []);
  t.notOk(r.kernel.links.some((l) => l.name === ep.hostVeth), 'and its veth');
  t.same(r.events, [`network.disconnect ${'gone'.padEnd(64, '0')}`]);
  t.equal(await kind(disconnect(r.ctx, 'n', 'ghost', true)), 'NotFound', 'nothing of that name left: still 404');
  t.equal(await kind(disconnect(r.ctx, 'nosuch', 'ghost', true)), 'NotFound', 'no such network');
});

t.test('a stale endpoint: a container the network lost, or whose record lost the network', async (t) => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const r = await rig(t, [{ Id: a, Name: '/web', networks: [] }, { Id: b, Name: '/db', networks: ['n'] }]);
  // An endpoint named web left by an earlier container of that name (say, after a crash).
  await r.connect('c'.repeat(64), 'web', 1);
  t.equal(await kind(disconnect(r.ctx, 'n', 'web', false)), 'NotFound', 'not connected');
  t.equal(await kind(disconnect(r.ctx, 'n', 'web', true)), 'ok', 'Force removes the stale endpoint of its name');
  t.same(r.driver.endpointsOf(), []);
  t.equal(await kind(disconnect(r.ctx, 'n', 'db', false)), 'ok', 'the record lists n but no endpoint is left: the record is cleaned');
  t.same(Object.keys(r.records.get(b)!.NetworkSettings.Networks), []);
});
