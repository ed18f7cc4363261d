import { EventEmitter } from 'node:events';
import t from 'tap';
import { daemonConfig, type DaemonFlags } from '../../cli/daemon/config.js';
import { serveUntilStopped, type Stoppable } from '../../cli/daemon/lifecycle.js';

const FLAGS: DaemonFlags = {
  host: ['unix:///run/berth/berth.sock'], 'data-root': '/var/lib/berth', 'exec-root': '/run/berth',
  debug: false, tls: false, tlsverify: false, 'insecure-tcp': false, label: [],
};

t.test('flags map onto EngineConfig', async (t) => {
  t.same(daemonConfig(FLAGS), {
    hosts: ['unix:///run/berth/berth.sock'], dataRoot: '/var/lib/berth', execRoot: '/run/berth',
    debug: false, insecureTcp: false, labels: [], insecureRegistries: [], registryMirrors: [],
  });
  t.match(
    daemonConfig({ ...FLAGS, 'insecure-registry': ['10.0.0.0/8'], 'registry-mirror': ['http://127.0.0.1:5001'], 'storage-driver': 'vfs' }),
    { insecureRegistries: ['10.0.0.0/8'], registryMirrors: ['http://127.0.0.1:5001'], storageDriver: 'vfs' },
    'registry and storage flags reach the engine',
  );
  const config = daemonConfig({
    ...FLAGS, host: ['unix:///tmp/b.sock', 'tcp://127.0.0.1:2375'], 'data-root': 'rel/data', debug: true,
    'insecure-tcp': true, label: ['env=test', 'tier=a=b'],
  });
  t.same(config.hosts, ['unix:///tmp/b.sock', 'tcp://127.0.0.1:2375'], 'repeated -H kept in order');
  t.equal(config.dataRoot, `${process.cwd()}/rel/data`, 'relative roots made absolute');
  t.match(config, { debug: true, insecureTcp: true, labels: ['env=test', 'tier=a=b'] });
  t.notOk('tls' in config, 'no TLS unless asked for');
});

t.test('TLS flags', async (t) => {
  t.same(daemonConfig({ ...FLAGS, tls: true, tlscert: '/c.pem', tlskey: '/k.pem' }).tls, { cert: '/c.pem', key: '/k.pem', verify: false });
  t.same(daemonConfig({ ...FLAGS, tlsverify: true, tlscacert: '/ca.pem', tlscert: '/c.pem', tlskey: '/k.pem' }).tls,
    { cert: '/c.pem', key: '/k.pem', ca: '/ca.pem', verify: true });
  t.match(daemonConfig({ ...FLAGS, tlscert: '/c.pem', tlskey: '/k.pem' }).tls, { verify: false }, 'naming the files turns TLS on');
  t.throws(() => daemonConfig({ ...FLAGS, tls: true }), { name: 'InvalidParameterError', message: /--tlscert and --tlskey/ });
  t.throws(() => daemonConfig({ ...FLAGS, tlsverify: true, tlscert: '/c', tlskey: '/k' }), { message: /--tlscacert/ });
});

t.test('network flags: --bridge, --bip, --fixed-cidr', async (t) => {
  t.match(daemonConfig({ ...FLAGS, bridge: 'berth1', bip: '10.160.0.1/24', 'fixed-cidr': '10.160.0.128/25' }), { bridge: 'berth1', bip: '10.160.0.1/24', fixedCidr: '10.160.0.128/25' });
  t.notOk('bridge' in daemonConfig(FLAGS), 'no --bridge: the default berth0');
  t.throws(() => daemonConfig({ ...FLAGS, bridge: 'a-name-longer-than-15' }), { name: 'InvalidParameterError', message: /invalid bridge name/ });
  t.throws(() => daemonConfig({ ...FLAGS, bip: '10.160.0.1' }), { name: 'InvalidParameterError', message: /--bip/ });
});

t.test('labels must be key=value', async (t) => {
  t.throws(() => daemonConfig({ ...FLAGS, label: ['novalue'] }), { name: 'InvalidParameterError', message: /bad label "novalue"/ });
  t.throws(() => daemonConfig({ ...FLAGS, label: ['=x'] }), { name: 'InvalidParameterError' });
});

/** An engine whose stop the test controls, counting shutdown calls. */
function fakeEngine(shutdownResult: 'ok' | 'fail' = 'ok') {
  let stop!: () => void;
  const engine = {
    calls: [] as (string | undefined)[],
    stopped: new Promise<void>((resolve) => (stop = resolve)),
    async shutdown(reason?: string) {
      engine.calls.push(reason);
      if (shutdownResult === 'fail') throw new Error('could not drain');
      setImmediate(stop);
    },
  } satisfies Stoppable & { calls: (string | undefined)[] };
  return { engine, stop: () => stop() };
}

t.test('the first signal shuts down once; later ones are only logged', async (t) => {
  const { engine } = fakeEngine();
  const signals = new EventEmitter();
  const logs: string[] = [];
  const done = serveUntilStopped(engine, (m) => logs.push(m), signals);
  signals.emit('SIGTERM');
  signals.emit('SIGINT');
  t.equal(await done, 'signal');
  t.same(engine.calls, ['SIGTERM'], 'shutdown called once, with the signal as reason');
  t.same(logs, ['received SIGTERM, shutting down', 'received SIGINT again; already shutting down']);
  t.equal(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM'), 0, 'handlers removed');
});

t.test('an engine that stops on its own is reported as such', async (t) => {
  const { engine, stop } = fakeEngine();
  const signals = new EventEmitter();
  const done = serveUntilStopped(engine, () => {}, signals);
  stop();
  t.equal(await done, 'engine');
  t.same(engine.calls, []);
});

t.test('a failing shutdown rejects', async (t) => {
  const { engine } = fakeEngine('fail');
  const signals = new EventEmitter();
  const done = serveUntilStopped(engine, () => {}, signals);
  signals.emit('SIGINT');
  await t.rejects(done, { message: 'could not drain' });
  t.equal(signals.listenerCount('SIGINT'), 0);
});
