/**
 * The network backend conformance suite: the same cases against every NetworkBackend (fake; native
 * inside a throwaway namespace that stands for the host). A fixture makes the backend, container
 * namespaces, and looks inside them.
 */
import type { Test } from 'tap';

import type { NetnsRef, NetworkBackend } from '../../drivers/network/backend.js';
import * as nft from '../../drivers/network/nft.js';
import { kindOf } from '../../protocol/errdefs.js';
import { until } from './networkdriver-netns.js';

/** What a container's interface looks like from inside. */
export interface InsideLink {
  mac: string;
  up: boolean;
  addresses: string[];
}

/** What a backend under test needs from its test file. */
export interface NetworkFixture {
  backend(t: Test): Promise<NetworkBackend>;
  /** A container namespace; `kill` ends it (its veth ends go with it). */
  netns(t: Test): Promise<{ ref: NetnsRef; kill(): Promise<void> }>;
  /** A link inside a container namespace, or null. */
  inside(ref: NetnsRef, name: string): Promise<InsideLink | null>;
  /** A unique bridge name (at most 15 bytes) and a /24 nothing else uses, per call. */
  bridge(): { name: string; subnet: string; gateway: string };
  /** Something other than berth takes a host port; undefined when the backend cannot hold ports. */
  occupy?(t: Test, proto: 'tcp' | 'udp', port: number): Promise<void>;
  /** The backend for the host-port case, when it is not `backend` (port holds need the real host). */
  portsBackend?(t: Test): Promise<NetworkBackend>;
}

const rejectsKind = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => kindOf(e));

/** Runs the suite. */
export function networkBackendConformance(t: Test, fx: NetworkFixture): void {
  t.test('a bridge: created up with its address, adopted again, deleted', async (t) => {
    const b = await fx.backend(t);
    const br = fx.bridge();
    await b.createBridge(br.name, `${br.gateway}/24`, 1500);
    t.teardown(() => b.deleteLink(br.name));
    t.match(await b.link(br.name), { name: br.name, kind: 'bridge', up: true });
    await b.adoptBridge(br.name, `${br.gateway}/24`);
    t.ok(await b.link(br.name), 'adopting an existing bridge is fine');
    t.equal(await rejectsKind(b.createBridge(br.name, `${br.gateway}/24`)), 'System', 'a second create fails');
    await b.deleteLink(br.name);
    t.equal(await b.link(br.name), null);
    await b.deleteLink(br.name);
    t.pass('deleting a missing link is fine');
  });

  t.test('plug: a veth on the bridge, its peer configured in the container', async (t) => {
    const b = await fx.backend(t);
    const br = fx.bridge();
    await b.createBridge(br.name, `${br.gateway}/24`);
    t.teardown(() => b.deleteLink(br.name));
    const ns = await fx.netns(t);
    const host = `vethb${br.name.slice(-6)}0001`;
    const mac = '02:42:0a:c6:00:02';
    await b.plug(host, br.name, false, ns.ref, { name: 'vethcconf0001', ifName: 'eth0', cidr: `${br.subnet.split('/')[0]!.replace(/0$/, '2')}/24`, mac, mtu: 1500, gateway: br.gateway });
    t.teardown(() => b.deleteLink(host));
    const bridge = await b.link(br.name);
    t.match(await b.link(host), { kind: 'veth', up: true, master: bridge?.index }, 'enslaved and up');
    t.ok((await b.links('vethb')).some((l) => l.name === host), 'listed by prefix');
    t.match(await fx.inside(ns.ref, 'eth0'), { mac, up: true, addresses: [`${br.subnet.split('/')[0]!.replace(/0$/, '2')}/24`] });
    await ns.kill();
    await until(async () => (await b.link(host)) === null, 5000, 'the host end to go with the namespace');
    t.pass('the host end went with the container');
  });

  t.test('sandbox: a namespace plugged into before any process joins it; closed, it goes with its veth', async (t) => {
    const b = await fx.backend(t);
    const br = fx.bridge();
    await b.createBridge(br.name, `${br.gateway}/24`);
    t.teardown(() => b.deleteLink(br.name));
    const s = await b.sandbox();
    const host = `vethb${br.name.slice(-6)}0201`;
    const cidr = `${br.subnet.split('/')[0]!.replace(/0$/, '21')}/24`;
    await b.plug(host, br.name, false, { path: s.path }, { name: 'vethcsbx0201', ifName: 'eth0', cidr, mac: '02:42:0a:c6:02:01', gateway: br.gateway });
    t.teardown(() => b.deleteLink(host));
    t.match(await fx.inside({ path: s.path }, 'eth0'), { up: true, addresses: [cidr] }, 'plugged and configured');
    if (b.name === 'native') t.match(await fx.inside({ path: s.path }, 'lo'), { up: true }, 'lo is up');
    const other = await b.sandbox();
    t.not(other.path, s.path, 'each sandbox is its own');
    b.closeSandbox(other);
    b.closeSandbox(s);
    await b.releaseLink(host);
    t.equal(await b.link(host), null, 'nothing held it: the veth went with it');
  });

  t.test('releaseLink: the veth goes with its dying namespace, or is deleted when the namespace stays', async (t) => {
    const b = await fx.backend(t);
    const br = fx.bridge();
    await b.createBridge(br.name, `${br.gateway}/24`);
    t.teardown(() => b.deleteLink(br.name));
    const plugged = async (n: number) => {
      const ns = await fx.netns(t);
      const host = `vethb${br.name.slice(-6)}010${n}`;
      const ip = br.subnet.split('/')[0]!.replace(/0$/, String(10 + n));
      await b.plug(host, br.name, false, ns.ref, { name: `vethcrel010${n}`, ifName: 'eth0', cidr: `${ip}/24`, mac: `02:42:0a:c6:01:0${n}`, gateway: br.gateway });
      t.teardown(() => b.deleteLink(host));
      return { ns, host };
    };
    const dying = await plugged(1);
    await dying.ns.kill();
    await b.releaseLink(dying.host);
    t.equal(await b.link(dying.host), null, 'gone with its namespace');
    const held = await plugged(2);
    await b.releaseLink(held.host);
    t.equal(await b.link(held.host), null, 'deleted although its namespace lives on');
    t.equal(await fx.inside(held.ns.ref, 'eth0'), null, 'its peer went with it');
    await b.releaseLink(held.host);
    t.pass('releasing a missing link is fine');
  });

  t.test('plug: a failure leaves no veth behind', async (t) => {
    const b = await fx.backend(t);
    const br = fx.bridge();
    await b.createBridge(br.name, `${br.gateway}/24`);
    t.teardown(() => b.deleteLink(br.name));
    const ns = await fx.netns(t);
    const host = `vethb${br.name.slice(-6)}0002`;
    const iface = { name: 'vethcconf0002', ifName: 'lo', cidr: '10.198.0.9/24', mac: '02:42:0a:c6:00:09', gateway: null };
    t.equal(await rejectsKind(b.plug(host, br.name, true, ns.ref, iface)), 'System', 'lo exists in the container');
    t.equal(await b.link(host), null, 'no host end');
    t.equal(await b.link('vethcconf0002'), null, 'no peer on the host');
    t.equal(await fx.inside(ns.ref, 'vethcconf0002'), null, 'no peer in the container');
    t.equal(await rejectsKind(b.plug(host, 'berth-missing', false, ns.ref, { ...iface, ifName: 'eth0' })), 'System', 'no such bridge');
    t.equal(await b.link(host), null, 'still no host end');
  });

  t.test('nft scripts apply all or nothing', async (t) => {
    const T = nft.tableFor('berth-conf');
    const b = await fx.backend(t);
    t.teardown(() => b.nft(nft.dropTable(T)));
    await b.nft(nft.rebuild(T, [], []));
    const port = { proto: 'tcp' as const, hostIp: '', hostPort: 18080, containerIp: '10.198.0.2', containerPort: 80 };
    const other = { ...port, hostPort: 18081 };
    t.equal(await rejectsKind(b.nft(nft.addPorts(T, [port]) + nft.removePorts(T, [other]))), 'System', 'deleting a missing element fails');
    t.equal(await rejectsKind(b.nft(nft.removePorts(T, [port]))), 'System', 'and the element added before it in the script is not there');
    await b.nft(nft.addPorts(T, [port]));
    await b.nft(nft.removePorts(T, [port]));
    t.pass('added and removed exactly');
    await b.nft(nft.dropTable(T));
    await b.nft(nft.dropTable(T));
    t.pass('dropping the table twice is fine');
  });

  t.test('forward permission is idempotent both ways', async (t) => {
    const b = await fx.backend(t);
    const br = fx.bridge();
    await b.allowForward(br.name);
    await b.allowForward(br.name);
    await b.disallowForward(br.name);
    await b.disallowForward(br.name);
    t.pass();
    t.ok(Array.isArray(await b.routes()), 'routes are listed');
  });

  t.test('host ports: held, refused while held, free again after release', { skip: fx.occupy ? false : 'this backend holds no ports here' }, async (t) => {
    const b = await (fx.portsBackend ?? fx.backend)(t);
    const any = await b.reservePort('tcp', '', 0);
    t.ok(any.port > 0, 'port 0 gets a free port');
    const err = await b.reservePort('tcp', '', any.port).then(() => null, (e: Error) => e);
    t.match(err, { kind: 'Conflict', message: `Bind for 0.0.0.0:${any.port} failed: port is already allocated` });
    t.equal(await rejectsKind(b.reservePort('tcp', '127.0.0.1', any.port)), 'Conflict', 'a specific address under a wildcard hold');
    await any.release();
    const again = await b.reservePort('tcp', '127.0.0.1', any.port);
    await again.release();
    const udp = await b.reservePort('udp', '127.0.0.1', 0);
    t.equal(await rejectsKind(b.reservePort('udp', '127.0.0.1', udp.port)), 'Conflict', 'udp too');
    await udp.release();
    const taken = await b.reservePort('tcp', '', 0);
    await taken.release();
    await fx.occupy!(t, 'tcp', taken.port);
    t.equal(await rejectsKind(b.reservePort('tcp', '', taken.port)), 'Conflict', 'a port another program holds');
  });
}
