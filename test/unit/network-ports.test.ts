/**
 * Host ports as dockerd's portallocator picks them (over the fake backend): a fixed port, a range's
 * first free port, the dynamic range for "" / "0" / -P, and HostConfig.PortBindings as the driver's list.
 */
import t from 'tap';

import { portsOf } from '../../actors/container/network.js';
import type { ContainerRecord } from '../../actors/services/containers/record.js';
import { FakeBackend, FakeKernel } from '../../drivers/network/fake.js';
import { DEFAULT_DYNAMIC_RANGE, dynamicPortRange, PortAllocator } from '../../drivers/network/portalloc.js';
import { kindOf } from '../../protocol/errdefs.js';

const tcp = (hostPort: number, hostPortEnd?: number) => ({ proto: 'tcp' as const, hostIp: '', hostPort, containerPort: 80, ...(hostPortEnd !== undefined && { hostPortEnd }) });

t.test('the dynamic range is the kernel ephemeral range when it makes sense, else 49153-60999', async (t) => {
  t.same(dynamicPortRange('32768\t60999\n'), [32768, 60999]);
  t.same(dynamicPortRange('1024 65535'), [1024, 65535]);
  for (const bad of ['', 'x y', '60999 32768', '0 100', '1 70000', '5']) t.same(dynamicPortRange(bad), [...DEFAULT_DYNAMIC_RANGE], JSON.stringify(bad));
  t.same(DEFAULT_DYNAMIC_RANGE, [49153, 60999]);
});

t.test('no host port: the next free port of the dynamic range, going round', async (t) => {
  const kernel = new FakeKernel();
  const alloc = new PortAllocator(new FakeBackend(kernel), [50000, 50003]);
  kernel.occupy('tcp', '', 50001);
  const held = [];
  for (let i = 0; i < 3; i++) held.push(await alloc.reserve(tcp(0)));
  t.same(held.map((h) => h.port), [50000, 50002, 50003], 'taken ports are skipped');
  t.equal(kindOf(await alloc.reserve(tcp(0)).catch((e: unknown) => e)), 'Conflict', 'none left');
  const udp = await alloc.reserve({ ...tcp(0), proto: 'udp' });
  t.equal(udp.port, 50000, 'udp has its own ports');
  await held[0]!.release();
  t.equal((await alloc.reserve(tcp(0))).port, 50000, 'a released port comes round again');
});

t.test('a host range: its first free port; a single port: exactly that one', async (t) => {
  const kernel = new FakeKernel();
  const alloc = new PortAllocator(new FakeBackend(kernel), [50000, 50010]);
  kernel.occupy('tcp', '', 8000);
  t.equal((await alloc.reserve(tcp(8000, 8010))).port, 8001);
  t.equal((await alloc.reserve(tcp(8000, 8010))).port, 8002, 'after the last one taken, as dockerd');
  t.equal((await alloc.reserve(tcp(9000, 9000))).port, 9000);
  const err = await alloc.reserve(tcp(8000)).catch((e: Error) => e);
  t.match(err, { message: 'Bind for 0.0.0.0:8000 failed: port is already allocated' });
  t.equal(kindOf(err), 'Conflict');
  kernel.occupy('tcp', '', 7001);
  await alloc.reserve(tcp(7000, 7000));
  t.match(await alloc.reserve(tcp(7000, 7001)).catch((e: Error) => e), { message: 'Bind for 0.0.0.0:7000-7001 failed: all ports are allocated' });
  t.equal(kindOf(await alloc.reserve(tcp(10, 5)).catch((e: unknown) => e)), 'InvalidParameter');
});

t.test('PortBindings: "" and "0" dynamic, "8000-8010" a range, -P adds exposed ports, nonsense refused', async (t) => {
  const rec = (PortBindings: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>, publishAll = false, exposed: string[] = []) =>
    ({ HostConfig: { PortBindings, PublishAllPorts: publishAll }, Config: { ExposedPorts: Object.fromEntries(exposed.map((p) => [p, {}])) } }) as unknown as ContainerRecord;
  t.same(portsOf(rec({ '80/tcp': [{ HostPort: '' }, { HostPort: '0' }, { HostIp: '127.0.0.1', HostPort: '8000-8010' }], '53/udp': [{ HostPort: '5353' }] })), [
    { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 0, containerPort: 80 },
    { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 0, containerPort: 80 },
    { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8000, hostPortEnd: 8010, containerPort: 80 },
    { proto: 'udp', hostIp: '0.0.0.0', hostPort: 5353, containerPort: 53 },
  ]);
  t.same(portsOf(rec({ '80/tcp': [{ HostPort: '8080' }] }, true, ['80/tcp', '443/tcp'])), [
    { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 },
    { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 0, containerPort: 443 },
  ], '-P keeps explicit bindings and publishes the rest dynamically');
  for (const bad of ['x', '8010-8000', '70000', '1-70000', '0-10']) {
    t.throws(() => portsOf(rec({ '80/tcp': [{ HostPort: bad }] })), { name: 'InvalidParameterError' }, bad);
  }
  t.throws(() => portsOf(rec({ '80-81/tcp': [{ HostPort: '' }] })), { name: 'InvalidParameterError' }, 'keys are single ports');
});
