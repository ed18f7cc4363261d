/** A container's /etc/hosts as dockerd writes it on bridge networks. */
import t from 'tap';
import { hostsFile } from '../../actors/container/files.js';
import type { ContainerRecord } from '../../actors/services/containers/record.js';

const rec = (config: Record<string, unknown>, extra: string[] = []) =>
  ({ Id: 'f'.repeat(64), Config: config, HostConfig: { ExtraHosts: extra } }) as unknown as ContainerRecord;

t.test("dockerd's defaults, --add-host (host-gateway too), then one line per address", async (t) => {
  const text = hostsFile(rec({ Hostname: 'web' }, ['db:10.1.2.3', 'gw:host-gateway', 'v6:fd00::1']), { ips: ['10.89.0.2', '10.89.1.2'], hostGateway: '10.88.0.1' });
  t.equal(text, [
    '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes', 'ff02::2\tip6-allrouters', '10.1.2.3\tdb', '10.88.0.1\tgw', 'fd00::1\tv6', '10.89.0.2\tweb', '10.89.1.2\tweb', '',
  ].join('\n'));
});

t.test('a domain name, no hostname, no network', async (t) => {
  t.match(hostsFile(rec({ Hostname: 'web', Domainname: 'example.test' }), { ips: ['10.89.0.2'] }), /\n10\.89\.0\.2\tweb\.example\.test web\n$/);
  t.match(hostsFile(rec({}), { ips: ['10.88.0.5'] }), /\n10\.88\.0\.5\tffffffffffff\n$/, 'the short id stands for a missing hostname');
  t.match(hostsFile(rec({ Hostname: 'x' })), /ip6-allrouters\n$/, 'no address: no line for it');
});
