/**
 * /networks on the native runtime (root): user networks made, listed, inspected and removed with
 * dockerd's shapes and errors; containers on a user network reach each other by name through the
 * embedded DNS (busybox httpd + nc), not across networks; connect / disconnect of running and
 * stopped containers; a published port on a user network answers on 127.0.0.1; nothing left after.
 */
import t from 'tap';
import { createContainer, importBusybox, runToEnd } from '../helpers/containers.js';
import { startNetnsDaemon, type NetnsDaemon } from '../helpers/netns-daemon.js';
import { probes } from '../helpers/probes.js';

type D = NetnsDaemon;

const json = { 'content-type': 'application/json' };
const post = (d: D, p: string, body?: unknown) => d.request('POST', p, body === undefined ? {} : { body: JSON.stringify(body), headers: json });
const HTTPD = ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'];
const fetchBy = (host: string) => ['sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} 80`];

async function started(d: D, body: Record<string, unknown>, name: string): Promise<string> {
  const id = await createContainer(d, body, name);
  const r = await post(d, `/containers/${id}/start`);
  if (r.status !== 204) throw new Error(`start ${name}: ${r.body}`);
  return id;
}

/** The host ends of the veths of removed containers' endpoints (vethb + 10 hex of the endpoint id). */
const hostVeths = new Set<string>();

/** Removes a container and waits until no network lists it (its endpoints go when its process is reaped). */
async function remove(d: D, id: string): Promise<void> {
  const endpoints = async () => {
    const nets = (await d.request('GET', '/networks')).json<Array<{ Id: string }>>();
    const all = await Promise.all(nets.map(async (n) => (await d.request('GET', `/networks/${n.Id}`)).json<{ Containers: Record<string, { EndpointID: string }> }>().Containers));
    return all.map((c) => c[id]).filter((e) => e !== undefined);
  };
  for (const e of await endpoints()) hostVeths.add(`vethb${e.EndpointID.slice(0, 10)}`);
  await d.request('DELETE', `/containers/${id}?force=1`);
  for (let i = 0; i < 100; i++) {
    if ((await endpoints()).length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`container ${id} still attached`);
}


t.test('user-defined networks on the native runtime', { skip: probes.root() }, async (t) => {
  const d = await startNetnsDaemon();
  t.teardown(() => d.close());
  await importBusybox(d);
  const links = () => d.inNetns('ip', ['-o', 'link', 'show']);

  const created = await post(d, '/networks/create', { Name: 'n1', Labels: { tier: 'front' }, CheckDuplicate: true });
  t.equal(created.status, 201);
  const n1 = created.json<{ Id: string; Warning: string }>();
  t.match(n1, { Id: /^[0-9a-f]{64}$/, Warning: '' });
  const dup = await post(d, '/networks/create', { Name: 'n1' });
  t.match({ status: dup.status, ...dup.json() }, { status: 409, message: 'network with name n1 already exists' });
  t.equal((await post(d, '/networks/create', { Name: 'o', Driver: 'overlay' })).status, 501, 'overlay is not implemented');
  t.equal((await post(d, '/networks/create', { Name: 'host' })).status, 403, 'a pre-defined name');
  const n2 = (await post(d, '/networks/create', { Name: 'n2', IPAM: { Config: [{ Subnet: '10.201.7.0/24', Gateway: '10.201.7.254', IPRange: '10.201.7.128/25' }] }, Options: { 'com.docker.network.bridge.enable_icc': 'true' } })).json<{ Id: string }>();

  t.test('list, filters, inspect, pre-defined networks', async (t) => {
    const names = (q = '') => d.request('GET', `/networks${q}`).then((r) => r.json<Array<{ Name: string }>>().map((n) => n.Name).sort());
    t.same(await names(), ['bridge', 'host', 'n1', 'n2', 'none']);
    t.same(await names(`?filters=${encodeURIComponent('{"type":["custom"]}')}`), ['n1', 'n2']);
    t.same(await names(`?filters=${encodeURIComponent('{"type":["builtin"]}')}`), ['bridge', 'host', 'none']);
    t.same(await names(`?filters=${encodeURIComponent('{"label":["tier=front"]}')}`), ['n1']);
    t.same(await names(`?filters=${encodeURIComponent('{"name":["n"]}')}`), ['n1', 'n2', 'none'], 'name matches a part');
    t.same(await names(`?filters=${encodeURIComponent(JSON.stringify({ id: [n2.Id.slice(0, 10)] }))}`), ['n2']);
    t.equal((await d.request('GET', `/networks?filters=${encodeURIComponent('{"bogus":["x"]}')}`)).status, 400);
    const ins = (await d.request('GET', `/networks/${n2.Id.slice(0, 12)}`)).json();
    t.match(ins, {
      Name: 'n2', Id: n2.Id, Scope: 'local', Driver: 'bridge', EnableIPv6: false, Internal: false, Attachable: false, Containers: {},
      IPAM: { Driver: 'default', Config: [{ Subnet: '10.201.7.0/24', Gateway: '10.201.7.254', IPRange: '10.201.7.128/25' }] },
      Options: { 'com.docker.network.bridge.enable_icc': 'true' }, Labels: {},
    });
    t.match((await d.request('GET', '/networks/bridge')).json(), { Driver: 'bridge', IPAM: { Config: [{ Subnet: /^10\.88\./ }] }, Options: { 'com.docker.network.bridge.default_bridge': 'true' } });
    t.match((await d.request('GET', '/networks/none')).json(), { Name: 'none', Driver: 'null', Scope: 'local' });
    const missing = await d.request('GET', '/networks/nope');
    t.match({ status: missing.status, ...missing.json() }, { status: 404, message: 'network nope not found' });
    for (const name of ['bridge', 'host', 'none']) {
      const r = await d.request('DELETE', `/networks/${name}`);
      t.match({ status: r.status, ...r.json() }, { status: 403, message: `${name} is a pre-defined network and cannot be removed` });
    }
  });

  t.test('containers on n1 reach each other by name; n2 cannot reach nor resolve them', async (t) => {
    const web = await started(d, { Cmd: HTTPD, Hostname: 'webhost', HostConfig: { NetworkMode: 'n1' } }, 'web');
    const net = (await d.request('GET', '/networks/n1')).json<{ Containers: Record<string, { Name: string; IPv4Address: string }> }>();
    t.match(net.Containers[web], { Name: 'web', IPv4Address: /\/\d+$/ });
    const ip = net.Containers[web]!.IPv4Address.split('/')[0]!;
    const byName = await runToEnd(d, { Cmd: fetchBy('web'), HostConfig: { NetworkMode: 'n1' } });
    t.match(byName.out, /200 OK[\s\S]*webhost/, 'nc web 80 on n1');
    t.match((await runToEnd(d, { Cmd: fetchBy(web.slice(0, 12)), HostConfig: { NetworkMode: 'n1' } })).out, /webhost/, 'by short id too');
    const resolv = await runToEnd(d, { Cmd: ['cat', '/etc/resolv.conf'], HostConfig: { NetworkMode: 'n1' } });
    t.match(resolv.out, /^nameserver 10\./m, 'the embedded DNS is the nameserver');
    const other = await runToEnd(d, { Cmd: ['sh', '-c', `busybox nslookup web || echo NORESOLVE; ${fetchBy(ip)[2]} || echo NOREACH`], HostConfig: { NetworkMode: 'n2' } });
    t.match(other.out, /NORESOLVE/, 'web does not resolve on n2');
    t.match(other.out, /NOREACH/, 'nor is it reachable by address');
    t.notMatch(other.out, /webhost/);
    const busy = await d.request('DELETE', '/networks/n1');
    t.match({ status: busy.status, ...busy.json() }, { status: 409, message: `error while removing network: network n1 id ${n1.Id} has active endpoints` });
    await remove(d, web);
  });

  t.test('connect and disconnect, running and stopped, aliases and a static address', async (t) => {
    const web = await started(d, { Cmd: HTTPD, Hostname: 'two', HostConfig: { NetworkMode: 'n2' } }, 'two');
    const conn = await post(d, '/networks/n1/connect', { Container: 'two', EndpointConfig: { Aliases: ['srv'] } });
    t.same({ status: conn.status, body: conn.body }, { status: 200, body: '' });
    const again = await post(d, '/networks/n1/connect', { Container: 'two' });
    t.equal(again.status, 403, 'connected twice');
    const ins = (await d.request('GET', `/containers/${web}/json`)).json<{ NetworkSettings: { Networks: Record<string, { IPAddress: string; Aliases: string[] }> } }>();
    t.same(Object.keys(ins.NetworkSettings.Networks).sort(), ['n1', 'n2']);
    t.same(ins.NetworkSettings.Networks.n1!.Aliases, ['srv']);
    t.match((await runToEnd(d, { Cmd: fetchBy('srv'), HostConfig: { NetworkMode: 'n1' } })).out, /two/, 'reached on n1 by its alias');
    t.equal((await post(d, '/networks/n1/disconnect', { Container: 'two' })).status, 200);
    t.match((await runToEnd(d, { Cmd: ['sh', '-c', 'busybox nslookup srv || echo GONE'], HostConfig: { NetworkMode: 'n1' } })).out, /GONE/, 'the alias is gone');
    const notOn = await post(d, '/networks/n1/disconnect', { Container: 'two' });
    t.equal(notOn.status, 404);
    await remove(d, web);

    const id = await createContainer(d, { Cmd: ['sleep', '30'] }, 'later');
    t.equal((await post(d, '/networks/n2/connect', { Container: 'later', EndpointConfig: { IPAMConfig: { IPv4Address: '10.201.7.200' } } })).status, 200);
    const start = await post(d, `/containers/${id}/start`);
    t.same({ status: start.status, body: start.body }, { status: 204, body: '' });
    const nets = (await d.request('GET', `/containers/${id}/json`)).json<{ NetworkSettings: { IPAddress: string; Networks: Record<string, { IPAddress: string }> } }>().NetworkSettings;
    t.equal(nets.Networks.n2!.IPAddress, '10.201.7.200', 'the stopped container joined n2 at start, with its static address');
    t.match(nets.Networks.bridge, { IPAddress: /^10\.88\./ }, 'and its default bridge');
    await remove(d, id);
  });

  t.test('a published port on a user network answers on 127.0.0.1', async (t) => {
    const id = await started(d, { Cmd: HTTPD, Hostname: 'pub', ExposedPorts: { '80/tcp': {} }, HostConfig: { NetworkMode: 'n1', PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } } }, 'pub');
    const ports = (await d.request('GET', `/containers/${id}/json`)).json<{ NetworkSettings: { Ports: Record<string, Array<{ HostPort: string }>> } }>().NetworkSettings.Ports;
    const port = Number(ports['80/tcp']![0]!.HostPort);
    let body = '';
    // The daemon's 127.0.0.1 is its namespace's: ask from there.
    const get = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 127.0.0.1 ${port} || true`;
    for (let i = 0; i < 50 && !body.includes('pub'); i++) {
      body = d.inNetns('sh', ['-c', get]);
      if (!body.includes('pub')) await new Promise((r) => setTimeout(r, 100));
    }
    t.match(body, /pub/);
    await remove(d, id);
  });

  t.test('prune and remove: nothing is left', async (t) => {
    const bridges = [n1.Id, n2.Id].map((id) => `br-${id.slice(0, 12)}`);
    const rm = await d.request('DELETE', '/networks/n1');
    t.same({ status: rm.status, body: rm.body }, { status: 204, body: '' });
    t.same((await post(d, `/networks/prune?filters=${encodeURIComponent('{"label!":["keep"]}')}`)).json(), { NetworksDeleted: ['n2'] });
    for (const b of bridges) t.notMatch(links(), b, `${b} is gone`);
    t.ok(hostVeths.size >= 3, 'veths were seen');
    for (const v of hostVeths) t.notMatch(links(), `${v}@`, `${v} is gone`);
    const events = await d.request('GET', `/events?since=0&until=${Math.ceil(Date.now() / 1000)}&filters=${encodeURIComponent('{"type":["network"]}')}`);
    const actions = new Set(events.body.trim().split('\n').map((l) => (JSON.parse(l) as { Action: string }).Action));
    for (const a of ['create', 'connect', 'disconnect', 'destroy']) t.ok(actions.has(a), `a network ${a} event`);
  });
});
