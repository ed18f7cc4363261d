/** The nft scripts of the network driver, as text, and the port spec parser. */
import t from 'tap';

import { parsePortSpec } from '../../drivers/network/ports.js';
import * as nft from '../../drivers/network/nft.js';
import { parseProcRoute } from '../../drivers/network/native.js';

const lines = (s: string) => s.trim().split('\n');
const T = nft.DEFAULT_TABLE;

t.test('a network gets five chains and five dispatch elements', async (t) => {
  const script = nft.addNetwork(T, { bridge: 'br-0123456789ab', internal: false });
  t.same(lines(script), [
    'add chain inet berth n-br-0123456789ab-in',
    'add rule inet berth n-br-0123456789ab-in iifname "br-0123456789ab" accept',
    'add rule inet berth n-br-0123456789ab-in ct state established,related accept',
    'add rule inet berth n-br-0123456789ab-in ct status dnat accept',
    'add rule inet berth n-br-0123456789ab-in drop',
    'add chain inet berth n-br-0123456789ab-out',
    'add rule inet berth n-br-0123456789ab-out accept',
    'add chain inet berth n-br-0123456789ab-pre',
    'add rule inet berth n-br-0123456789ab-pre ip daddr 127.0.0.0/8 drop',
    'add chain inet berth n-br-0123456789ab-post',
    'add rule inet berth n-br-0123456789ab-post ip saddr 127.0.0.0/8 masquerade',
    'add rule inet berth n-br-0123456789ab-post iifname "br-0123456789ab" ct status dnat masquerade',
    'add chain inet berth n-br-0123456789ab-masq',
    'add rule inet berth n-br-0123456789ab-masq oifname != "br-0123456789ab" masquerade',
    'add element inet berth fwd_in { "br-0123456789ab" : jump n-br-0123456789ab-in }',
    'add element inet berth fwd_out { "br-0123456789ab" : jump n-br-0123456789ab-out }',
    'add element inet berth pre_in { "br-0123456789ab" : jump n-br-0123456789ab-pre }',
    'add element inet berth post_out { "br-0123456789ab" : jump n-br-0123456789ab-post }',
    'add element inet berth post_in { "br-0123456789ab" : jump n-br-0123456789ab-masq }',
  ]);
});

t.test('an internal network has no masquerade and nothing in or out', async (t) => {
  const script = nft.addNetwork(T, { bridge: 'br-x', internal: true });
  t.notMatch(script, /oifname != "br-x" masquerade/);
  t.match(script, 'add rule inet berth n-br-x-out drop');
  t.same(lines(script).filter((l) => l.startsWith('add rule inet berth n-br-x-in')), [
    'add rule inet berth n-br-x-in iifname "br-x" accept',
    'add rule inet berth n-br-x-in drop',
  ]);
});

t.test('removal deletes exactly what addition added', async (t) => {
  const add = lines(nft.addNetwork(T, { bridge: 'berth0', internal: false }));
  const del = lines(nft.removeNetwork(T, 'berth0'));
  const chains = add.filter((l) => l.startsWith('add chain')).map((l) => l.split(' ').pop());
  t.same(del.filter((l) => l.startsWith('delete chain')).map((l) => l.split(' ').pop()), chains);
  t.same(del.filter((l) => l.startsWith('delete element')), [
    'delete element inet berth fwd_in { "berth0" }',
    'delete element inet berth fwd_out { "berth0" }',
    'delete element inet berth pre_in { "berth0" }',
    'delete element inet berth post_out { "berth0" }',
    'delete element inet berth post_in { "berth0" }',
  ]);
  t.ok(del.indexOf('delete element inet berth fwd_in { "berth0" }') < del.indexOf('delete chain inet berth n-berth0-in'), 'elements before chains');
});

t.test('published ports are DNAT map elements keyed by address only when one was given', async (t) => {
  const ports = [
    { proto: 'tcp' as const, hostIp: '', hostPort: 8080, containerIp: '10.88.0.2', containerPort: 80 },
    { proto: 'udp' as const, hostIp: '127.0.0.1', hostPort: 5353, containerIp: '10.88.0.2', containerPort: 53 },
  ];
  t.same(lines(nft.addPorts(T, ports)), [
    'add element inet berth ports_any { tcp . 8080 : 10.88.0.2 . 80 }',
    'add element inet berth ports_addr { 127.0.0.1 . udp . 5353 : 10.88.0.2 . 53 }',
  ]);
  t.same(lines(nft.removePorts(T, ports)), [
    'delete element inet berth ports_any { tcp . 8080 }',
    'delete element inet berth ports_addr { 127.0.0.1 . udp . 5353 }',
  ]);
});

t.test('a rebuild replaces the table in one transaction', async (t) => {
  const script = nft.rebuild(T, [{ bridge: 'berth0', internal: false }], [{ proto: 'tcp', hostIp: '', hostPort: 1, containerIp: '10.88.0.2', containerPort: 2 }]);
  const l = lines(script);
  t.same(l.slice(0, 3), ['add table inet berth', 'delete table inet berth', 'add table inet berth']);
  t.ok(l.includes('add chain inet berth forward { type filter hook forward priority filter; policy accept; }'));
  t.ok(l.includes('add rule inet berth output fib daddr type local dnat ip to meta l4proto . th dport map @ports_any'));
  t.ok(l.indexOf('add chain inet berth n-berth0-in') > l.indexOf('add rule inet berth forward iifname vmap @fwd_out'), 'networks after the skeleton');
  t.equal(l[l.length - 1], 'add element inet berth ports_any { tcp . 1 : 10.88.0.2 . 2 }');
  t.same(lines(nft.dropTable(T)), ['add table inet berth', 'delete table inet berth']);
});

t.test('each daemon has its own table: berth0 keeps inet berth, other bridges get their own', async (t) => {
  t.equal(nft.tableFor('berth0'), 'inet berth');
  t.equal(nft.tableFor('berth-d1a2b3c4'), 'inet berth-berth-d1a2b3c4');
  t.equal(nft.tableFor('x'), 'inet berth-x');
  const other = nft.tableFor('berth1');
  t.same(lines(nft.dropTable(other)), ['add table inet berth-berth1', 'delete table inet berth-berth1']);
  t.ok(lines(nft.addNetwork(other, { bridge: 'br-1', internal: false })).every((l) => l.includes(' inet berth-berth1 ')), 'every statement names it');
});

t.test('-p specs', async (t) => {
  t.same(parsePortSpec('8080:80'), { proto: 'tcp', hostIp: '', hostPort: 8080, containerPort: 80 });
  t.same(parsePortSpec('127.0.0.1:8080:80/udp'), { proto: 'udp', hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80 });
  t.same(parsePortSpec('80'), { proto: 'tcp', hostIp: '', hostPort: 0, containerPort: 80 });
  t.same(parsePortSpec('127.0.0.1::80'), { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerPort: 80 });
  for (const bad of ['80/sctp', '70000', '0', 'a:80', '1:2:3:4', '300.0.0.1:80:80', '80/tcp/x']) {
    t.throws(() => parsePortSpec(bad), { name: 'InvalidParameterError' }, bad);
  }
});

t.test('/proc/net/route', async (t) => {
  const text = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    '',
  ].join('\n');
  t.same(parseProcRoute(text), [{ dev: 'eth0', cidr: '0.0.0.0/0' }, { dev: 'eth0', cidr: '192.0.2.0/24' }]);
});
