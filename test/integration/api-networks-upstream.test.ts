/**
 * The embedded DNS's upstreams on the real kernel (root): on a user network a container's
 * resolv.conf names the embedded server, which answers container names itself and sends other
 * names to the container's --dns servers (here a stand-in resolver the test runs on a loopback
 * address of its own). Traffic stays on loopback and the test's own bridge.
 */
import dgram from 'node:dgram';
import t, { type Test } from 'tap';
import { answer, parseQuery, RCODE } from '../../actors/services/network/dns-packet.js';
import { createContainer, importBusybox, runToEnd } from '../helpers/containers.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { probes } from '../helpers/probes.js';

const json = { 'content-type': 'application/json' };

/** A resolver on `ip`:53 that answers `name` with `address`, anything else NXDOMAIN, and remembers the names asked. */
async function fakeResolver(t: Test, ip: string, name: string, address: string): Promise<string[]> {
  const asked: string[] = [];
  const s = dgram.createSocket('udp4');
  s.on('message', (m, r) => {
    const q = parseQuery(m);
    if (!q) return;
    asked.push(q.name);
    s.send(q.name === name ? answer(q, RCODE.NOERROR, [address]) : answer(q, RCODE.NXDOMAIN), r.port, r.address);
  });
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(53, ip, () => resolve());
  });
  t.teardown(() => s.close());
  return asked;
}

t.test('--dns servers are the embedded DNS upstreams of a user network', { skip: probes.root() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.close());
  await importBusybox(d);
  const ip = `127.53.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const asked = await fakeResolver(t, ip, 'probe.example.test', '192.0.2.77');
  const net = await d.request('POST', '/networks/create', { body: JSON.stringify({ Name: 'up' }), headers: json });
  t.equal(net.status, 201);
  t.teardown(() => d.request('DELETE', '/networks/up'));

  const web = await createContainer(d, { Cmd: ['sleep', '30'], HostConfig: { NetworkMode: 'up' } }, 'web');
  await d.request('POST', `/containers/${web}/start`);
  t.teardown(() => d.request('DELETE', `/containers/${web}?force=1`));
  const out = await runToEnd(d, {
    Cmd: ['sh', '-c', 'cat /etc/resolv.conf; nslookup probe.example.test'],
    HostConfig: { NetworkMode: 'up', Dns: [ip], DnsSearch: ['example.test'] },
  });
  const gateway = (await d.request('GET', '/networks/up')).json<{ IPAM: { Config: Array<{ Gateway: string }> } }>().IPAM.Config[0]!.Gateway;
  t.match(out.out, new RegExp(`^nameserver ${gateway.replace(/\./g, '\\.')}$`, 'm'), 'resolv.conf names the embedded DNS');
  t.notMatch(out.out, new RegExp(`nameserver ${ip.replace(/\./g, '\\.')}`), 'not the --dns server itself');
  t.match(out.out, /^search example\.test$/m, '--dns-search is kept');
  t.match(out.out, /Name:\s+probe\.example\.test\s+Address:? (1: )?192\.0\.2\.77/, 'a name it does not know comes from the --dns server');
  t.ok(asked.includes('probe.example.test'), 'which was asked');
  const byName = await runToEnd(d, { Cmd: ['sh', '-c', 'nslookup web'], HostConfig: { NetworkMode: 'up', Dns: [ip] } });
  t.match(byName.out, /Name:\s+web\s+Address:? (1: )?10\./, 'container names are answered by the embedded DNS');
  t.notOk(asked.includes('web'), 'and never sent upstream');
});

t.test('/etc/hosts on a user network, and after connect and disconnect', { skip: probes.root() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.close());
  await importBusybox(d);
  for (const name of ['h1', 'h2']) {
    t.equal((await d.request('POST', '/networks/create', { body: JSON.stringify({ Name: name }), headers: json })).status, 201);
    t.teardown(() => d.request('DELETE', `/networks/${name}`));
  }
  const id = await createContainer(d, { Cmd: ['sleep', '30'], Hostname: 'box', Domainname: 'example.test', HostConfig: { NetworkMode: 'h1', ExtraHosts: ['gw:host-gateway', 'db:10.1.2.3'] } }, 'box');
  t.teardown(() => d.request('DELETE', `/containers/${id}?force=1`));
  await d.request('POST', `/containers/${id}/start`);
  const inspect = async () => (await d.request('GET', `/containers/${id}/json`)).json<{ HostsPath: string; NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }>();
  const bridgeGw = (await d.request('GET', '/networks/bridge')).json<{ IPAM: { Config: Array<{ Gateway: string }> } }>().IPAM.Config[0]!.Gateway;
  const { readFileSync } = await import('node:fs');
  let c = await inspect();
  const ip1 = c.NetworkSettings.Networks.h1!.IPAddress;
  t.equal(readFileSync(c.HostsPath, 'utf8').split('\n').slice(6).join('\n'), `${bridgeGw}\tgw\n10.1.2.3\tdb\n${ip1}\tbox.example.test box\n`, 'add-host (host-gateway is the default bridge gateway), then its address');
  t.match(readFileSync(c.HostsPath, 'utf8'), /^127\.0\.0\.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n/);
  await d.request('POST', '/networks/h2/connect', { body: JSON.stringify({ Container: 'box' }), headers: json });
  c = await inspect();
  const ip2 = c.NetworkSettings.Networks.h2!.IPAddress;
  t.match(readFileSync(c.HostsPath, 'utf8'), `${ip1}\tbox.example.test box\n${ip2}\tbox.example.test box\n`, 'a line for the new address');
  await d.request('POST', '/networks/h1/disconnect', { body: JSON.stringify({ Container: 'box' }), headers: json });
  t.notMatch(readFileSync(c.HostsPath, 'utf8'), `${ip1}\t`, 'and the left one goes');
});
