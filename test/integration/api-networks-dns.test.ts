/**
 * The embedded DNS without root: the packet codec, and EmbeddedDns over a stand-in for the driver's
 * records, serving on 127.0.0.1 at a free port, with a stand-in upstream resolver on loopback.
 */
import dgram from 'node:dgram';
import t from 'tap';
import { memoryLogger } from '../../actors/kernel/log.js';
import { answer, encodeQuery, parseAnswer, parseQuery, RCODE, TYPE_AAAA } from '../../actors/services/network/dns-packet.js';
import { EmbeddedDns, hostNameservers } from '../../actors/services/network/dns.js';
import type { EndpointRecord, NetworkRecord } from '../../drivers/network/store.js';

const net = (id: string, gateway: string, internal = false) => ({ Id: id, Name: id, isDefault: false, gateway, internal }) as NetworkRecord;
const ep = (networkId: string, name: string, ip: string, aliases: string[] = []) =>
  ({ networkId, containerName: name, containerId: name.padEnd(64, '0'), ip, aliases }) as EndpointRecord;

const networks = [net('a', '127.0.0.1'), net('b', '127.0.0.2', true)];
const endpoints = [ep('a', 'web', '10.0.0.2', ['www', 'pool']), ep('a', 'client', '10.0.0.3', ['pool']), ep('b', 'db', '10.0.1.2')];
const driver = { list: () => networks, endpointsOf: (id?: string) => endpoints.filter((e) => id === undefined || e.networkId === id) };

t.test('the packet codec', async (t) => {
  const q = parseQuery(encodeQuery(7, 'Web.'));
  t.match(q, { id: 7, name: 'web', type: 1, qclass: 1 });
  t.same(parseAnswer(answer(q!, RCODE.NOERROR, ['10.0.0.2', '10.0.0.9'])), { id: 7, rcode: 0, addresses: ['10.0.0.2', '10.0.0.9'] });
  t.equal(parseQuery(Buffer.from([1, 2, 3])), null, 'too short');
  t.equal(parseQuery(answer(q!, 0)), null, 'an answer is no query');
  t.same(hostNameservers('# x\nnameserver 10.1.2.3\nnameserver ::1\nsearch a\n'), ['10.1.2.3']);
});

t.test('answers for its own network only', async (t) => {
  const dns = new EmbeddedDns(driver, memoryLogger(), 0, () => []);
  const ask = async (network: string, from: string, name: string, type?: number) => parseAnswer((await dns.resolve(network, encodeQuery(1, name, type), from))!);
  t.same((await ask('a', '10.0.0.3', 'web')).addresses, ['10.0.0.2'], 'by name');
  t.same((await ask('a', '10.0.0.3', 'WWW')).addresses, ['10.0.0.2'], 'by alias, any case');
  t.same((await ask('a', '10.0.0.2', 'client'.padEnd(12, '0'))).addresses, ['10.0.0.3'], 'by short id');
  t.same((await ask('a', '10.0.0.2', 'pool')).addresses.sort(), ['10.0.0.2', '10.0.0.3'], 'a shared alias: every address');
  t.match(await ask('a', '10.0.0.3', 'web', TYPE_AAAA), { rcode: RCODE.NOERROR, addresses: [] }, 'AAAA of a known name: no data');
  t.match(await ask('a', '10.0.0.3', 'db'), { rcode: RCODE.NXDOMAIN }, 'a container of another network does not resolve');
  t.match(await ask('a', '10.0.1.2', 'web'), { rcode: RCODE.REFUSED }, 'a container of another network may not ask');
  t.match(await ask('b', '10.0.1.2', 'example.org'), { rcode: RCODE.REFUSED }, 'an internal network does not forward');
  t.match(await ask('a', '10.0.0.3', 'example.org'), { rcode: RCODE.SERVFAIL }, 'no upstream: SERVFAIL');
});

t.test('serves on the gateway address; forwards dotted names upstream', async (t) => {
  const upstream = dgram.createSocket('udp4');
  upstream.on('message', (m, r) => upstream.send(answer(parseQuery(m)!, 0, ['192.0.2.80']), r.port, r.address));
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r));
  t.teardown(() => upstream.close());
  const up = upstream.address();
  const dns = new EmbeddedDns({ list: () => [net('a', '127.0.0.1')], endpointsOf: () => [ep('a', 'web', '127.0.0.1')] }, memoryLogger(), 0, () => [`${up.address}:${up.port}`]);
  t.teardown(() => dns.close());
  await dns.sync();
  await dns.sync();
  t.equal(dns.address('b'), null, 'no server for a network it does not have');
  const [host, port] = dns.address('a')!.split(':') as [string, string];
  t.equal(host, '127.0.0.1', 'a server on network a\'s gateway');
  const query = (name: string) => new Promise<ReturnType<typeof parseAnswer>>((resolve, reject) => {
    const c = dgram.createSocket('udp4');
    c.on('message', (m) => (c.close(), resolve(parseAnswer(m))));
    c.on('error', reject);
    c.send(encodeQuery(9, name), Number(port), host);
  });
  t.same((await query('web')).addresses, ['127.0.0.1'], 'a name over UDP');
  t.same((await query('example.org')).addresses, ['192.0.2.80'], 'a dotted name answered by the upstream');
  t.match(await query('nosuch'), { rcode: RCODE.NXDOMAIN }, 'an unknown single label');
});

t.test("a container's --dns servers are its upstreams; without them the host's", async (t) => {
  const fake = async (address: string) => {
    const s = dgram.createSocket('udp4');
    s.on('message', (m, r) => s.send(answer(parseQuery(m)!, 0, [address]), r.port, r.address));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    t.teardown(() => s.close());
    return `127.0.0.1:${s.address().port}`;
  };
  const host = await fake('192.0.2.80');
  const own = await fake('192.0.2.53');
  const mine = { ...ep('a', 'custom', '10.0.0.5'), dns: [own] };
  const dead = { ...ep('a', 'dead', '10.0.0.6'), dns: ['127.0.0.1:9'] };
  const dns = new EmbeddedDns({ list: () => networks, endpointsOf: () => [...endpoints, mine, dead] }, memoryLogger(), 0, () => [host]);
  const ask = async (from: string, name: string) => parseAnswer((await dns.resolve('a', encodeQuery(3, name), from))!);
  t.same((await ask('10.0.0.5', 'example.org')).addresses, ['192.0.2.53'], 'its own nameserver answers');
  t.same((await ask('10.0.0.3', 'example.org')).addresses, ['192.0.2.80'], 'another container still asks the host\'s');
  t.same((await ask('10.0.0.5', 'web')).addresses, ['10.0.0.2'], 'container names are still answered here');
  t.match(await ask('10.0.0.6', 'example.org'), { rcode: RCODE.SERVFAIL }, 'its nameserver does not answer: SERVFAIL, not the host\'s');
});
