import t from 'tap';
import type { ContainerSummary } from '../../protocol/types/containers.js';
import { containerPruneReport } from '../../cli/render/container-prune.js';
import { CONTAINER_HEADERS, containerFormat, containerRow, displayablePorts, ellipsis, goQuote, imageColumn } from '../../cli/render/containers.js';
import { renderListing } from '../../cli/render/listing.js';
import { naturalCompare, portLines } from '../../cli/render/ports.js';
import { STATS_HEADERS, cpuPercent, memoryUsage, statsFormat, statsRow, type StatsDocument } from '../../cli/render/stats.js';

process.env.TZ = 'UTC'; // CreatedAt is local time, as in docker

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const ID = 'f00dfeedbeef0123456789abcdef0123456789abcdef0123456789abcdef0123';

function summary(over: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    Id: ID, Names: ['/web'], Image: 'busybox', ImageID: `sha256:${'1'.repeat(64)}`, Command: 'sh -c i=0; while true; do echo $i; done',
    Created: NOW / 1000 - 150, Ports: [], Labels: {}, State: 'running', Status: 'Up 2 minutes',
    HostConfig: { NetworkMode: 'default' }, NetworkSettings: { Networks: {} }, Mounts: [], ...over,
  };
}

t.test('ps rows: truncated ID and command, quoted, ages from a fixed clock, first own name', async (t) => {
  const row = containerRow(summary({ Names: ['/web', '/other/alias'] }), { noTrunc: false, nowMs: NOW });
  t.equal(row.ID, 'f00dfeedbeef');
  t.equal(row.Command, '"sh -c i=0; while tr…"');
  t.equal(row.RunningFor, '2 minutes ago');
  t.equal(row.CreatedAt, '2026-11-28 11:57:30 +0000 UTC');
  t.equal(row.Names, 'web');
  t.equal(containerRow(summary({ Names: ['/web', '/other/alias'] }), { noTrunc: true, nowMs: NOW }).Names, 'web,other/alias');
  t.equal(containerRow(summary(), { noTrunc: true, nowMs: NOW }).Command, '"sh -c i=0; while true; do echo $i; done"');
  t.equal(containerRow(summary({ Created: NOW / 1000 }), { noTrunc: false, nowMs: NOW }).RunningFor, 'Less than a second ago');
  t.equal(containerRow(summary({ SizeRw: 1234, SizeRootFs: 5_000_000 }), { noTrunc: false, nowMs: NOW }).Size, '1.23kB (virtual 5MB)');
});

t.test('ps table and formats as docker prints them', async (t) => {
  const rows = [
    containerRow(summary({ Ports: [{ PrivatePort: 80, PublicPort: 8080, IP: '0.0.0.0', Type: 'tcp' }] }), { noTrunc: false, nowMs: NOW }),
    containerRow(summary({ Id: 'a'.repeat(64), Names: ['/db'], Command: 'true', State: 'exited', Status: 'Exited (0) 5 seconds ago', Created: NOW / 1000 - 7200 }), { noTrunc: false, nowMs: NOW }),
  ];
  t.equal(renderListing(containerFormat(undefined, false, false), rows, CONTAINER_HEADERS), [
    'CONTAINER ID   IMAGE     COMMAND                  CREATED         STATUS                     PORTS                  NAMES',
    'f00dfeedbeef   busybox   "sh -c i=0; while tr…"   2 minutes ago   Up 2 minutes               0.0.0.0:8080->80/tcp   web',
    'aaaaaaaaaaaa   busybox   "true"                   2 hours ago     Exited (0) 5 seconds ago                          db',
    '',
  ].join('\n'));
  t.equal(renderListing(containerFormat(undefined, true, false), rows, CONTAINER_HEADERS), 'f00dfeedbeef\naaaaaaaaaaaa\n');
  t.equal(renderListing(containerFormat('{{.Names}}\\t{{.State}}', true, false), rows, CONTAINER_HEADERS), 'web\trunning\ndb\texited\n', 'a template wins over -q');
  t.match(containerFormat(undefined, false, true), /\{\{\.Size\}\}$/);
  const line = renderListing('json', rows.slice(1), CONTAINER_HEADERS);
  t.equal(line, '{"Command":"\\"true\\"","CreatedAt":"2026-11-28 10:00:00 +0000 UTC","ID":"aaaaaaaaaaaa","Image":"busybox","Labels":"","LocalVolumes":"0","Mounts":"","Names":"db","Networks":"","Platform":null,"Ports":"","RunningFor":"2 hours ago","Size":"0B","State":"exited","Status":"Exited (0) 5 seconds ago"}\n');
});

t.test('ports: ranges grouped per IP and protocol, remapped ports after, IPv6 as docker shows it', async (t) => {
  t.equal(displayablePorts([
    { PrivatePort: 81, PublicPort: 81, IP: '0.0.0.0', Type: 'tcp' },
    { PrivatePort: 80, PublicPort: 80, IP: '0.0.0.0', Type: 'tcp' },
    { PrivatePort: 53, Type: 'udp' },
    { PrivatePort: 443, PublicPort: 8443, IP: '::', Type: 'tcp' },
    { PrivatePort: 90, Type: 'tcp' },
  ]), '53/udp, 0.0.0.0:80-81->80-81/tcp, 90/tcp, [::]:8443->443/tcp');
  t.equal(displayablePorts([{ PrivatePort: 80, Type: 'tcp' }, { PrivatePort: 82, Type: 'tcp' }]), '80/tcp, 82/tcp');
  t.equal(displayablePorts([]), '');
});

t.test('image column, ellipsis and Go quoting', async (t) => {
  t.equal(imageColumn('busybox:latest', 'sha256:1', true), 'busybox:latest');
  t.equal(imageColumn('docker.io/library/busybox', 'sha256:1', true), 'busybox');
  t.equal(imageColumn(`busybox@sha256:${'2'.repeat(64)}`, 'sha256:1', true), 'busybox');
  t.equal(imageColumn(`sha256:${'3'.repeat(64)}`, `sha256:${'3'.repeat(64)}`, true), '333333333333');
  t.equal(imageColumn('', '', true), '<no image>');
  t.equal(ellipsis('short', 20), 'short');
  t.equal(ellipsis('日本語の長いコマンドライン', 10), '日本語の…');
  t.equal(goQuote('a "b"\\\n\t\x01'), '"a \\"b\\"\\\\\\n\\t\\x01"');
});

const SAMPLE: StatsDocument = {
  id: ID, name: '/web', pids_stats: { current: 3 },
  cpu_stats: { cpu_usage: { total_usage: 2e9 }, system_cpu_usage: 2e10, online_cpus: 2 },
  precpu_stats: { cpu_usage: { total_usage: 1.5e9 }, system_cpu_usage: 1.8e10 },
  memory_stats: { usage: 10485760, limit: 16777216, stats: { total_inactive_file: 1048576 } },
  blkio_stats: { io_service_bytes_recursive: [{ op: 'Read', value: 1048576 }, { op: 'write', value: 4096 }] },
  networks: { eth0: { rx_bytes: 1500, tx_bytes: 2_300_000 } },
};

t.test('stats: docker CPU and memory arithmetic, its table and JSON', async (t) => {
  t.equal(cpuPercent(SAMPLE), 50);
  t.equal(memoryUsage(SAMPLE), 9 * 1024 * 1024);
  t.equal(memoryUsage({ memory_stats: { usage: 100, stats: { inactive_file: 40 } } }), 60, 'cgroup v2 key');
  t.equal(cpuPercent({}), 0, 'no previous sample: 0');
  const row = statsRow('web', SAMPLE, false);
  t.equal(renderListing(statsFormat(undefined), [row], STATS_HEADERS), [
    'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O         BLOCK I/O        PIDS',
    'f00dfeedbeef   web       50.00%    9MiB / 16MiB        56.25%    1.5kB / 2.3MB   1.05MB / 4.1kB   3',
    '',
  ].join('\n'));
  t.equal(renderListing('json', [row], STATS_HEADERS), '{"BlockIO":"1.05MB / 4.1kB","CPUPerc":"50.00%","Container":"web","ID":"f00dfeedbeef","MemPerc":"56.25%","MemUsage":"9MiB / 16MiB","Name":"web","NetIO":"1.5kB / 2.3MB","PIDs":"3"}\n');
});

t.test('port lines, natural order; prune report', async (t) => {
  const ports = { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }], '9/udp': [{ HostIp: '127.0.0.1', HostPort: '9' }], '443/tcp': null };
  t.same(portLines(ports), ['9/udp -> 127.0.0.1:9', '80/tcp -> 0.0.0.0:8080', '80/tcp -> [::]:8080']);
  t.same(portLines(ports, '80'), ['0.0.0.0:8080', '[::]:8080']);
  t.equal(portLines(ports, '443/tcp'), undefined);
  t.ok(naturalCompare('9/udp', '80/tcp') < 0);
  t.equal(containerPruneReport({ ContainersDeleted: ['a', 'b'], SpaceReclaimed: 1500 }), 'Deleted Containers:\na\nb\n\nTotal reclaimed space: 1.5kB\n');
  t.equal(containerPruneReport({ ContainersDeleted: null, SpaceReclaimed: 0 }), 'Total reclaimed space: 0B\n');
});
