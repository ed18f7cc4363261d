/**
 * The addon's netlink calls against the real kernel (root): a bridge, a veth pair whose end goes into
 * a namespace we start (`unshare --net`), configured there from a thread of the addon, and pings
 * both ways across the bridge. Names start with berth/veth so ../shared/tools/leakcheck sees leaks;
 * the subnet is a private 10.199.x/24 that nothing else uses. Everything is deleted at teardown.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import t from 'tap';

import { loadNative } from '../../drivers/native/addon.js';
import { netnsChild } from '../conformance/networkdriver-netns.js';
import { probes } from '../helpers/probes.js';

const native = loadNative();
const tag = String(process.pid % 100000);
const bridge = `berth-t${tag}`;
const hostEnd = `veth-t${tag}h`;
const peerEnd = `veth-t${tag}c`;
const net = `10.199.${process.pid % 200}`;

function removeIfThere(name: string): void {
  if (native.linkGet(name)) native.linkDelete(name);
}

t.test('bridge, veth into a namespace, ping both ways', { skip: probes.root() }, async (t) => {
  t.teardown(() => {
    removeIfThere(hostEnd);
    removeIfThere(bridge);
  });
  const ns = await netnsChild(t);

  native.bridgeCreate(bridge, { mtu: 1500 });
  native.addressAdd(bridge, `${net}.1/24`);
  native.linkSet(bridge, { up: true });
  t.same(native.addressList(bridge), [{ address: `${net}.1`, prefixLen: 24 }], 'the bridge has its address');

  native.vethCreate(hostEnd, peerEnd);
  native.linkSet(hostEnd, { master: bridge, up: true });
  const br = native.linkGet(bridge);
  t.equal(br?.kind, 'bridge');
  const host = native.linkGet(hostEnd);
  t.equal(host?.kind, 'veth');
  t.equal(host?.master, br?.index, 'the host end is enslaved to the bridge');
  t.same(native.linkList(`veth-t${tag}`).map((l) => l.name).sort(), [peerEnd, hostEnd].sort(), 'listed by prefix');

  native.linkSetNetns(peerEnd, { pid: ns.pid });
  t.equal(native.linkGet(peerEnd), null, 'the peer left our namespace');
  const mac = '02:42:0a:c7:00:02';
  const link = await native.interfaceConfigure(ns.path, { name: peerEnd, rename: 'eth0', cidr: `${net}.2/24`, mac, gateway: `${net}.1` });
  t.match(link, { name: 'eth0', mac, up: true }, 'configured inside the namespace');
  t.same(native.addressList('eth0', { netns: ns.path }), [{ address: `${net}.2`, prefixLen: 24 }]);
  t.ok(native.linkGet('lo', { netns: ns.path })?.up, 'lo is up in the namespace');

  const routes = await ns.exec('ip', ['-4', 'route', 'show', 'default']);
  t.match(routes, `default via ${net}.1 dev eth0`, 'the default route points at the bridge');
  t.ok(ns.ok('busybox', ['ping', '-c', '1', '-W', '2', `${net}.1`]), 'the namespace pings the bridge');
  const back = spawnSync('busybox', ['ping', '-c', '1', '-W', '2', `${net}.2`], { stdio: 'ignore' });
  t.equal(back.status, 0, 'the host pings the namespace');

  native.bridgePortSet(hostEnd, { isolated: true, hairpin: true });
  t.equal(readFileSync(`/sys/class/net/${hostEnd}/brport/isolated`, 'utf8').trim(), '1', 'port isolated');
  t.equal(readFileSync(`/sys/class/net/${hostEnd}/brport/hairpin_mode`, 'utf8').trim(), '1', 'hairpin on');

  native.sysctlWrite(`net/ipv4/conf/${bridge}/route_localnet`, '1');
  t.equal(native.sysctlRead(`net/ipv4/conf/${bridge}/route_localnet`), '1', 'sysctl written on our bridge');
  t.equal(native.sysctlRead('net/ipv4/conf/eth0/forwarding', { netns: ns.path }), '0', 'sysctl read inside the namespace');

  native.routeDeleteDefault(`${net}.1`, { netns: ns.path });
  t.equal((await ns.exec('ip', ['-4', 'route', 'show', 'default'])).trim(), '', 'default route removed');
  native.addressDelete(bridge, `${net}.1/24`);
  t.same(native.addressList(bridge), [], 'address removed');

  native.linkDelete(hostEnd);
  t.equal(native.linkGet(hostEnd), null, 'the host end is gone');
  t.equal(native.linkGet('eth0', { netns: ns.path }), null, 'and its peer with it');
  native.linkDelete(bridge);
  t.equal(native.linkGet(bridge), null, 'the bridge is gone');
});

t.test('errors are SystemErrors naming the operation and the link', { skip: probes.root() }, async (t) => {
  t.teardown(() => removeIfThere(bridge));
  native.bridgeCreate(bridge);
  t.throws(() => native.bridgeCreate(bridge), { code: 'EEXIST', errno: -17, syscall: 'RTM_NEWLINK', path: bridge, message: new RegExp(`^bridge create '${bridge}' failed: EEXIST`) });
  t.throws(() => native.linkDelete('berth-nope'), { code: 'ENODEV', syscall: 'RTM_GETLINK', path: 'berth-nope', message: /^link delete 'berth-nope' failed/ });
  t.throws(() => native.bridgeCreate('a-name-longer-than-15'), { code: 'ERR_INVALID_ARG_VALUE' });
  t.throws(() => native.linkSetNetns(bridge, {}), { code: 'ERR_INVALID_ARG_VALUE', message: /exactly one of pid and path/ });
  t.throws(() => native.linkGet('lo', { netns: '/nonexistent/ns' }), { code: 'ENOENT', syscall: 'open', message: /^enter network namespace '\/nonexistent\/ns' failed/ });
  t.throws(() => native.addressAdd(bridge, '10.0.0.1/24', { netns: '/proc/self/ns/mnt' }), { code: 'EINVAL', syscall: 'setns' }, 'a namespace file of another kind');
});

t.test('moving by namespace file', { skip: probes.root() }, async (t) => {
  t.teardown(() => removeIfThere(hostEnd));
  const ns = await netnsChild(t);
  native.vethCreate(hostEnd, peerEnd, { mtu: 1400 });
  native.linkSetNetns(peerEnd, { path: ns.path, rename: 'eth1' });
  t.match(native.linkGet('eth1', { netns: ns.path }), { mtu: 1400, kind: 'veth' }, 'arrived renamed, with its MTU');
  native.linkSet('eth1', { rename: 'eth2', mtu: 1300, up: true }, { netns: ns.path });
  t.match(native.linkGet('eth2', { netns: ns.path }), { mtu: 1300, up: true });
});

t.test('a veth made with its peer already in the namespace (pid or file)', { skip: probes.root() }, async (t) => {
  t.teardown(() => removeIfThere(hostEnd));
  const ns = await netnsChild(t);
  native.vethCreate(hostEnd, peerEnd, { mtu: 1400, peerNetns: { pid: ns.pid } });
  t.equal(native.linkGet(peerEnd), null, 'the peer never was in our namespace');
  t.match(native.linkGet(peerEnd, { netns: ns.path }), { mtu: 1400, kind: 'veth', up: false }, 'it is in the other one, with its MTU');
  native.linkDelete(hostEnd);
  t.equal(native.linkGet(peerEnd, { netns: ns.path }), null, 'deleting the host end takes the peer');

  native.vethCreate(hostEnd, peerEnd, { peerNetns: { path: ns.path } });
  t.ok(native.linkGet(peerEnd, { netns: ns.path }), 'by namespace file too');
  t.throws(() => native.vethCreate(`${hostEnd}x`, `${peerEnd}x`, { peerNetns: {} }), { code: 'ERR_INVALID_ARG_VALUE', message: /exactly one of pid and path/ });
  t.throws(() => native.vethCreate(`${hostEnd}x`, `${peerEnd}x`, { peerNetns: { path: '/nonexistent/ns' } }), { code: 'ENOENT', syscall: 'open', message: /^veth create/ });
  t.equal(native.linkGet(`${hostEnd}x`), null, 'a refused create leaves nothing');
});

t.test('linkDeleteAsync deletes off the event loop and rejects like linkDelete throws', { skip: probes.root() }, async (t) => {
  t.teardown(() => removeIfThere(hostEnd));
  native.vethCreate(hostEnd, peerEnd);
  const pending = native.linkDeleteAsync(hostEnd);
  t.ok(pending instanceof Promise, 'a promise');
  await pending;
  t.equal(native.linkGet(hostEnd), null, 'the host end is gone');
  t.equal(native.linkGet(peerEnd), null, 'and its peer');
  await t.rejects(native.linkDeleteAsync('berth-nope'), { code: 'ENODEV', errno: -19, syscall: 'RTM_GETLINK', path: 'berth-nope', message: /^link delete 'berth-nope' failed/ });
});
