/**
 * Published port ranges on the native runtime (root), as dockerd picks them: HostPort "" and -P
 * from the kernel's ephemeral range, "18000-18002" the range's ports in turn (a taken one skipped),
 * each answering on 127.0.0.1. The daemon runs in a network namespace of its own (ports included).
 */
import t from 'tap';
import { createContainer, importBusybox } from '../helpers/containers.js';
import { startNetnsDaemon, type NetnsDaemon } from '../helpers/netns-daemon.js';
import { probes } from '../helpers/probes.js';

type Ports = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
const json = { 'content-type': 'application/json' };
const HTTPD = ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'];

async function started(d: NetnsDaemon, body: Record<string, unknown>, name: string): Promise<{ id: string; ports: Ports }> {
  const id = await createContainer(d, { Cmd: HTTPD, Hostname: name, ...body }, name);
  const r = await d.request('POST', `/containers/${id}/start`);
  if (r.status !== 204) throw new Error(`start ${name}: ${r.status} ${r.body}`);
  const ports = (await d.request('GET', `/containers/${id}/json`)).json<{ NetworkSettings: { Ports: Ports } }>().NetworkSettings.Ports;
  return { id, ports };
}

/** What 127.0.0.1:port answers in the daemon's namespace (retried while httpd starts). */
async function fetchLocal(d: NetnsDaemon, port: string): Promise<string> {
  let body = '';
  const get = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 127.0.0.1 ${port} || true`;
  for (let i = 0; i < 50 && !body.includes('200 OK'); i++) {
    body = d.inNetns('sh', ['-c', get]);
    if (!body.includes('200 OK')) await new Promise((r) => setTimeout(r, 100));
  }
  return body;
}

t.test('published port ranges and -P', { skip: probes.root() }, async (t) => {
  const d = await startNetnsDaemon();
  t.teardown(() => d.close());
  await importBusybox(d);
  const [low, high] = d.inNetns('cat', ['/proc/sys/net/ipv4/ip_local_port_range']).trim().split(/\s+/).map(Number) as [number, number];

  const range = { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18000-18002' }] } };
  const a = await started(d, { HostConfig: range }, 'ra');
  const b = await started(d, { HostConfig: range }, 'rb');
  t.same(a.ports['80/tcp'], [{ HostIp: '127.0.0.1', HostPort: '18000' }], 'the first port of the range');
  t.same(b.ports['80/tcp'], [{ HostIp: '127.0.0.1', HostPort: '18001' }], 'then the next free one');
  const fixed = await d.request('POST', '/containers/create?name=rc', { body: JSON.stringify({ Image: 'busybox', Cmd: HTTPD, HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18001' }] } } }), headers: json });
  const clash = await d.request('POST', `/containers/${fixed.json<{ Id: string }>().Id}/start`);
  t.match({ status: clash.status, ...clash.json() }, { status: 409, message: /Bind for 127\.0\.0\.1:18001 failed: port is already allocated/ }, 'a port of the range in use');
  t.match(await fetchLocal(d, '18000'), /\nra/, 'ra answers on its port');
  t.match(await fetchLocal(d, '18001'), /\nrb/, 'rb on its own');

  const dyn = await started(d, { ExposedPorts: { '80/tcp': {}, '81/udp': {} }, HostConfig: { PublishAllPorts: true, PortBindings: { '80/tcp': [{ HostPort: '0' }] } } }, 'rp');
  for (const key of ['80/tcp', '81/udp']) {
    const port = Number(dyn.ports[key]?.[0]?.HostPort);
    t.ok(port >= low && port <= high, `${key} on ${port}, from the ephemeral range ${low}-${high}`);
    t.equal(dyn.ports[key]?.[0]?.HostIp, '0.0.0.0');
  }
  t.match(await fetchLocal(d, dyn.ports['80/tcp']![0]!.HostPort), /\nrp/, '-P port answers');
  for (const id of [a.id, b.id, dyn.id, 'rc']) await d.request('DELETE', `/containers/${id}?force=1`);
});
