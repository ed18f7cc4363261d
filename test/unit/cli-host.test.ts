import t from 'tap';
import { DEFAULT_HOST, parseHost } from '../../cli/host.js';

t.test('empty or missing host means the default socket', async (t) => {
  t.equal(DEFAULT_HOST, 'unix:///run/berth/berth.sock');
  t.same(parseHost(undefined), { kind: 'unix', socketPath: '/run/berth/berth.sock', text: DEFAULT_HOST });
  t.same(parseHost('  '), parseHost(undefined));
  t.same(parseHost('unix://'), parseHost(undefined), 'unix:// with no path is the default socket');
});

t.test('unix sockets', async (t) => {
  t.same(parseHost('unix:///tmp/x/berth.sock'), { kind: 'unix', socketPath: '/tmp/x/berth.sock', text: 'unix:///tmp/x/berth.sock' });
  t.same(parseHost('UNIX:///tmp/a.sock').kind, 'unix', 'the scheme is case-insensitive');
  t.throws(() => parseHost('unix://relative.sock'), { name: 'InvalidParameterError', message: /must be absolute/ });
});

t.test('tcp hosts and default ports', async (t) => {
  t.same(parseHost('tcp://127.0.0.1:2375'), { kind: 'tcp', hostname: '127.0.0.1', port: 2375, text: 'tcp://127.0.0.1:2375' });
  t.match(parseHost('tcp://example.test'), { port: 2375, text: 'tcp://example.test:2375' }, 'plain tcp defaults to 2375');
  t.match(parseHost('tcp://example.test', true), { port: 2376 }, 'TLS defaults to 2376');
  t.same(parseHost('tcp://localhost:8080/'), { kind: 'tcp', hostname: 'localhost', port: 8080, text: 'tcp://localhost:8080' });
  t.same(parseHost('127.0.0.1:4243'), { kind: 'tcp', hostname: '127.0.0.1', port: 4243, text: 'tcp://127.0.0.1:4243' }, 'no scheme means tcp');
  t.match(parseHost('tcp://:2375'), { hostname: '127.0.0.1' }, 'an empty host name is loopback');
});

t.test('IPv6 literals keep their brackets only in the text', async (t) => {
  t.same(parseHost('tcp://[::1]:2375'), { kind: 'tcp', hostname: '::1', port: 2375, text: 'tcp://[::1]:2375' });
});

t.test('bad hosts are refused with InvalidParameter', async (t) => {
  for (const bad of ['fd://', 'ssh://me@host', 'tcp://host:99999', 'tcp://host:port', 'tcp://host:2375/path', '/run/berth.sock']) {
    t.throws(() => parseHost(bad), { name: 'InvalidParameterError' }, bad);
  }
});
