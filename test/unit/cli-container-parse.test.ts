import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitArgs, type FlagShape } from '../../cli/container/argv.js';
import { expandEnv, readKeyValueFile } from '../../cli/container/env.js';
import { flagValue } from '../../cli/container/errors.js';
import { parseMount, tmpfsMap, volumeSpecs } from '../../cli/container/mounts.js';
import { normalizeCaps, parseBytes, parseCpus, parseRestart } from '../../cli/container/parse.js';
import { parsePortSpec, portMaps } from '../../cli/container/ports.js';
import { startErrorStatus } from '../../cli/container/run.js';

const FLAGS: Record<string, FlagShape> = {
  interactive: { type: 'boolean', char: 'i' },
  tty: { type: 'boolean', char: 't' },
  detach: { type: 'boolean', char: 'd' },
  rm: { type: 'boolean' },
  'sig-proxy': { type: 'boolean', allowNo: true },
  env: { type: 'option', char: 'e' },
  publish: { type: 'option', char: 'p' },
  name: { type: 'option' },
  network: { type: 'option', aliases: ['net'] },
};

t.test('flags end at the first argument: the rest is the command, verbatim and in order', async (t) => {
  t.same(splitArgs(['--rm', 'busybox', 'sh', '-c', 'exit 3'], FLAGS), { flags: ['--rm'], positionals: ['busybox', 'sh', '-c', 'exit 3'] });
  t.same(splitArgs(['-it', '--name', 'x', 'busybox', 'echo', 'x'], FLAGS), { flags: ['-it', '--name', 'x'], positionals: ['busybox', 'echo', 'x'] });
  t.same(splitArgs(['-dp', '80:80', '-eA=1', '--net', 'none', 'img'], FLAGS).flags, ['-dp', '80:80', '-eA=1', '--net', 'none']);
  t.same(splitArgs(['--name=web', 'img', '--rm'], FLAGS), { flags: ['--name=web'], positionals: ['img', '--rm'] });
  t.same(splitArgs(['--rm', '--', 'img', '--help'], FLAGS), { flags: ['--rm'], positionals: ['img', '--help'] });
  t.same(splitArgs(['--rm=false', '--sig-proxy=false', '--detach=true', 'img'], FLAGS).flags, ['--no-sig-proxy', '--detach']);
  t.same(splitArgs(['--bogus', 'img'], FLAGS), { flags: ['--bogus'], positionals: ['img'] }, 'unknown flags are left for oclif to refuse');
});

t.test('sizes and CPUs as go-units and docker parse them', async (t) => {
  t.equal(parseBytes('16m'), 16 * 1024 ** 2);
  t.equal(parseBytes('1.5g'), 1.5 * 1024 ** 3);
  t.equal(parseBytes('512KiB'), 512 * 1024);
  t.equal(parseBytes('64 MB'), 64 * 1024 ** 2);
  t.equal(parseBytes('100'), 100);
  t.equal(parseBytes('7b'), 7);
  t.throws(() => parseBytes('1x'), /invalid suffix: 'x'/);
  t.throws(() => parseBytes('m'), /invalid size: 'm'/);
  t.throws(() => parseBytes('1mbb'), /invalid suffix: 'mbb'/);
  t.equal(parseCpus('1.5'), 1_500_000_000);
  t.equal(parseCpus('.25'), 250_000_000);
  t.equal(parseCpus('2'), 2_000_000_000);
  t.throws(() => parseCpus('1.2345678901'), /value is too precise/);
  t.throws(() => parseCpus('one'), /failed to parse one as a rational number/);
  t.equal(flagValue('-m, --memory', '16m', parseBytes), 16777216);
  t.throws(() => flagValue('-m, --memory', '1x', parseBytes), { name: 'FlagError', message: `invalid argument "1x" for "-m, --memory" flag: invalid suffix: 'x'` });
});

t.test('restart policies and capabilities', async (t) => {
  t.same(parseRestart('no'), { Name: 'no', MaximumRetryCount: 0 });
  t.same(parseRestart('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 });
  t.throws(() => parseRestart('on-failure:x'), /maximum retry count must be an integer/);
  t.throws(() => parseRestart(':3'), /no policy provided before colon/);
  t.same(normalizeCaps(['net_admin', 'CAP_CHOWN', 'NET_ADMIN']), ['CAP_CHOWN', 'CAP_NET_ADMIN']);
  t.same(normalizeCaps(['chown', 'all']), ['ALL']);
  t.equal(normalizeCaps([]), null);
});

t.test('-p: ip, host and container ports, ranges, protocols, docker errors', async (t) => {
  t.same(parsePortSpec('8080:80'), [['80/tcp', { HostIp: '', HostPort: '8080' }]]);
  t.same(parsePortSpec('127.0.0.1:53:53/UDP'), [['53/udp', { HostIp: '127.0.0.1', HostPort: '53' }]]);
  t.same(parsePortSpec('[::1]:8080:80'), [['80/tcp', { HostIp: '::1', HostPort: '8080' }]]);
  t.same(parsePortSpec('80'), [['80/tcp', { HostIp: '', HostPort: '' }]]);
  t.same(parsePortSpec('9000-9001:90-91'), [['90/tcp', { HostIp: '', HostPort: '9000' }], ['91/tcp', { HostIp: '', HostPort: '9001' }]]);
  t.same(parsePortSpec('8000-8010:80'), [['80/tcp', { HostIp: '', HostPort: '8000-8010' }]], 'a host range for one port is left to the daemon');
  t.throws(() => parsePortSpec('80:80:80'), /invalid IP address: 80/);
  t.throws(() => parsePortSpec('1-3:90-91'), /invalid ranges specified for container and host Ports: 90-91 and 1-3/);
  t.throws(() => parsePortSpec('80/icmp'), /invalid proto: icmp/);
  t.throws(() => parsePortSpec('x:80'), /invalid hostPort: x/);
  const maps = portMaps(['81:80', '80', '127.0.0.1:82:80'], ['7000-7001/udp']);
  t.same(Object.keys(maps.ExposedPorts), ['7000/udp', '7001/udp', '80/tcp'], 'keys sorted as Go writes them');
  t.same(maps.PortBindings['80/tcp'], [{ HostIp: '', HostPort: '81' }, { HostIp: '', HostPort: '' }, { HostIp: '127.0.0.1', HostPort: '82' }]);
});

t.test('-v, --mount and --tmpfs', async (t) => {
  t.same(volumeSpecs(['/data', 'named:/v', '/h:/c:ro']), { Binds: ['named:/v', '/h:/c:ro'], Volumes: { '/data': {} } });
  t.same(volumeSpecs(['./rel:/r']).Binds, [`${process.cwd()}/rel:/r`], 'a relative host path is made absolute');
  t.same(volumeSpecs([]), { Binds: null, Volumes: {} });
  t.same(parseMount('type=bind,source=/tmp,target=/x,readonly'), { Type: 'bind', Source: '/tmp', Target: '/x', ReadOnly: true });
  t.same(parseMount('src=v1,dst=/v,volume-nocopy,volume-label=a=b'), { Type: 'volume', Source: 'v1', Target: '/v', VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: {} } });
  t.same(parseMount('type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770'), { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } });
  t.same(parseMount('type=bind,"src=/a,b",dst=/c,ro=false'), { Type: 'bind', Source: '/a,b', Target: '/c', ReadOnly: false });
  t.throws(() => parseMount('type=bind'), /target is required/);
  t.throws(() => parseMount('type=bind,dst=/x,color=red'), /unexpected key 'color'/);
  t.throws(() => parseMount('type=bind,dst=/x,volume-nocopy'), /cannot mix 'volume-\*' options with mount type 'bind'/);
  t.same(tmpfsMap(['/run:rw,size=64m', '/t']), { '/run': 'rw,size=64m', '/t': '' });
  t.equal(tmpfsMap([]), undefined);
});

t.test('-e and env files: values from our environment for bare names', async (t) => {
  t.equal(expandEnv('A=1', {}), 'A=1');
  t.equal(expandEnv('B', { B: 'x' }), 'B=x');
  t.equal(expandEnv('C', {}), 'C', 'unset: sent bare, as docker does');
  t.throws(() => expandEnv('=x', {}), /invalid environment variable: =x/);
  const dir = mkdtempSync(join(tmpdir(), 'berth-envfile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'env.list');
  writeFileSync(file, '\uFEFFX=1\n  # comment\nY\n\nUNSET\nZ=a b\r\n');
  t.same(readKeyValueFile(file, { Y: 'yy' }), ['X=1', 'Y=yy', 'Z=a b']);
  t.same(readKeyValueFile(file), ['X=1', 'Z=a b'], 'label files drop bare names');
  writeFileSync(file, 'BAD NAME=1\n');
  t.throws(() => readKeyValueFile(file), /variable 'BAD NAME' contains whitespaces/);
  t.throws(() => readKeyValueFile(join(dir, 'missing')), /no such file or directory/);
});

t.test('start errors: 127 for a command not found, 126 for one that cannot run, else 125', async (t) => {
  t.equal(startErrorStatus('failed to create task for container: exec: "nope": executable file not found in $PATH: unknown'), 127);
  t.equal(startErrorStatus('exec: "/x": stat /x: no such file or directory'), 127);
  t.equal(startErrorStatus('exec: "/etc/passwd": permission denied: unknown'), 126);
  t.equal(startErrorStatus('exec: "/etc": is a directory'), 126);
  t.equal(startErrorStatus('cgroup: cannot write memory.limit'), 125);
});
