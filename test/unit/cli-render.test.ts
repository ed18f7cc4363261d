import t from 'tap';
import type { ClientVersion } from '../../cli/platform.js';
import { clientVersion } from '../../cli/platform.js';
import { alignLines } from '../../cli/render/columns.js';
import { formatEvent, formatEventTime, parseEventLine } from '../../cli/render/events.js';
import { renderClientInfo, renderServerInfo, renderWarnings } from '../../cli/render/info.js';
import { renderFormat } from '../../cli/render/template.js';
import { bytesSize } from '../../cli/render/units.js';
import { renderVersion } from '../../cli/render/version.js';
import { EVENT_LINE, INFO, VERSION } from '../helpers/cli-fixtures.js';

const CLIENT: ClientVersion = {
  Version: '0.1.0', ApiVersion: '1.47', DefaultAPIVersion: '1.47', NodeVersion: 'v20.20.2', Os: 'linux', Arch: 'amd64',
};

t.test('version text, laid out like docker version', async (t) => {
  t.equal(renderVersion(CLIENT, VERSION), [
    'Client:',
    ' Version:           0.1.0',
    ' API version:       1.47',
    ' Node version:      v20.20.2',
    ' OS/Arch:           linux/amd64',
    '',
    'Server: berth',
    ' Engine:',
    '  Version:          0.1.0',
    '  API version:      1.47 (minimum version 1.24)',
    '  Node version:     v20.20.2',
    '  Git commit:       deadbee',
    '  Built:            2026-11-28T12:00:00.000Z',
    '  OS/Arch:          linux/amd64',
    '  Kernel:           6.1.0-test',
    '  Experimental:     false',
    ' berth-shim:',
    '  Version:          0.1.0',
    '  GitCommit:        abc1234',
  ].join('\n'));
});

t.test('version text: downgraded API, a Go daemon, no server', async (t) => {
  const text = renderVersion({ ...CLIENT, ApiVersion: '1.41' }, { ...VERSION, GoVersion: 'go1.21.5', Components: [] });
  t.match(text, / API version: {7}1\.41 \(downgraded from 1\.47\)/);
  t.match(text, / {2}Go version: {7}go1\.21\.5/, 'a dockerd reports Go, labelled as such');
  t.notMatch(text, /berth-shim/);
  t.equal(renderVersion(CLIENT, undefined).split('\n').length, 5, 'only the client part');
});

t.test('the client reports Go names for OS and arch', async (t) => {
  const own = clientVersion('1.44');
  t.equal(own.ApiVersion, '1.44');
  t.equal(own.DefaultAPIVersion, '1.47');
  t.equal(own.NodeVersion, process.version);
  t.not(own.Arch, 'x64', 'x64 is amd64 to docker');
});

t.test('alignLines pads to 20 columns, or one past the longest label of a run', async (t) => {
  t.same(alignLines([['a:', '1'], 'break', ['a-very-long-label-here:', '2'], ['b:', '3']]), [
    'a:                  1',
    'break',
    'a-very-long-label-here: 2',
    'b:                      3',
  ]);
  t.same(alignLines([['empty:', '']]), ['empty:'], 'no trailing blanks');
});

t.test('info text, laid out like docker info', async (t) => {
  t.same(renderClientInfo(CLIENT, 'unix:///x.sock'), ['Client:', ' Version: 0.1.0', ' Host: unix:///x.sock']);
  const server = renderServerInfo(INFO);
  t.equal(server[0], 'Server:');
  t.same(server.slice(1, 6), [' Containers: 3', '  Running: 1', '  Paused: 0', '  Stopped: 2', ' Images: 5']);
  for (const line of [
    ' Server Version: 0.1.0', ' Storage Driver: vfs', '  Backing Filesystem: extfs', ' Logging Driver: json-file',
    ' Cgroup Driver: cgroupfs', ' Cgroup Version: 1', ' Kernel Version: 6.1.0-test',
    ' Operating System: Debian GNU/Linux 12 (bookworm)', ' OSType: linux', ' Architecture: x86_64', ' CPUs: 4',
    ' Total Memory: 15.36GiB', ' Name: testhost', ' ID: b1e7a2c4-0000-4000-8000-000000000001',
    ' Docker Root Dir: /var/lib/berth', ' Debug Mode: false', ' Labels:', '  env=test', ' Live Restore Enabled: false',
  ]) t.ok(server.includes(line), line);
  t.ok(server.indexOf('  Backing Filesystem: extfs') === server.indexOf(' Storage Driver: vfs') + 1, 'driver status under the driver');
  t.notOk(server.some((line) => line.includes('swap')), 'warnings are not part of stdout');
  t.notOk(renderServerInfo({ ...INFO, Labels: [] }).includes(' Labels:'), 'no Labels heading without labels');
});

t.test('warnings go out prefixed once', async (t) => {
  t.same(renderWarnings(INFO), ['WARNING: No swap limit support']);
  t.same(renderWarnings({ ...INFO, Warnings: ['WARNING: already prefixed'] }), ['WARNING: already prefixed']);
});

t.test('bytesSize matches go-units', async (t) => {
  t.equal(bytesSize(0), '0B');
  t.equal(bytesSize(1023), '1023B');
  t.equal(bytesSize(1024), '1KiB');
  t.equal(bytesSize(1536), '1.5KiB');
  t.equal(bytesSize(16 * 1024 ** 2), '16MiB');
  t.equal(bytesSize(16492674416), '15.36GiB');
  t.equal(bytesSize(2 * 1024 ** 4), '2TiB');
});

t.test('events: exact nanoseconds and docker default line', async (t) => {
  const received = parseEventLine(EVENT_LINE);
  t.equal(received.timeNano, 1795867200123456789n, 'all 19 digits survive');
  t.equal(received.event.Action, 'create');
  t.equal(formatEvent(received), '2026-11-28T12:00:00.123456789Z container create c0ffee (image=busybox, name=x)');
  t.equal(formatEventTime(1_000_000_000n), '1970-01-01T00:00:01.000000000Z');
});

t.test('events: falls back to time, and omits empty attributes', async (t) => {
  const line = '{"Type":"image","Action":"pull","Actor":{"ID":"busybox:latest","Attributes":{}},"scope":"local","time":1795867200}';
  t.equal(formatEvent(parseEventLine(line)), '2026-11-28T12:00:00.000000000Z image pull busybox:latest');
  const tricky = '{"Type":"container","Action":"x","Actor":{"ID":"a","Attributes":{"k":"\\"timeNano\\":5"}},"scope":"local","time":0,"timeNano":0}';
  t.equal(parseEventLine(tricky).timeNano, 0n, 'a timeNano inside a string value is not taken');
  t.equal(formatEvent(parseEventLine(tricky)), 'container x a (k="timeNano":5)', 'no time when the daemon gave none');
});

t.test('--format: json and simple templates', async (t) => {
  const data = { Client: { Version: '0.1.0' }, Server: { Version: '0.2.0', Labels: ['a=b'] }, Empty: null };
  t.equal(renderFormat('json', data), JSON.stringify(data));
  t.equal(renderFormat('{{.Server.Version}}', data), '0.2.0');
  t.equal(renderFormat('client {{ .Client.Version }} / server {{.Server.Version}}', data), 'client 0.1.0 / server 0.2.0');
  t.equal(renderFormat('{{json .Server.Labels}}', data), '["a=b"]');
  t.equal(renderFormat('{{.Server.Labels}}', data), '["a=b"]', 'objects print as JSON');
  t.equal(renderFormat('{{json .}}', { a: 1 }), '{"a":1}');
  t.equal(renderFormat('{{.Nope.Deeper}}', data), '<no value>');
  t.equal(renderFormat('{{.Empty}}', data), '<nil>');
  t.throws(() => renderFormat('{{range .Server.Labels}}{{.}}{{end}}', data), { name: 'InvalidParameterError', message: /unsupported action/ });
});
