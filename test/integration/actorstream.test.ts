import t from 'tap';
import http from 'node:http';
import path from 'node:path';
import { rmSync } from 'node:fs';
import WebSocket from 'ws';
import { ACTOR_STREAM_PATH } from '../../protocol/api.js';
import type { ActorStreamMessage } from '../../protocol/types/actorstream.js';
import { ActorStream } from '../../actors/system/actorstream.js';
import { startTestDaemon, testDir } from '../helpers/daemon.js';

/** Connects to the stream and collects messages. */
function connect(socket: string) {
  const ws = new WebSocket(`ws+unix://${socket}:${ACTOR_STREAM_PATH}`);
  const got: ActorStreamMessage[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    got.push(JSON.parse(String(data)) as ActorStreamMessage);
    for (const w of waiters.splice(0)) w();
  });
  const until = async (pred: (m: ActorStreamMessage[]) => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (!pred(got)) {
      if (Date.now() > end) throw new Error(`timed out; got ${JSON.stringify(got.map((m) => m.type))}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return { ws, got, until, open: new Promise((r) => ws.once('open', r)) };
}

t.test('the stream: a tree snapshot on connect, then jobs spawned, finished and failed', async (t) => {
  let probeFails = false;
  const d = await startTestDaemon({}, {
    probe: () => {
      if (probeFails) throw new Error('probe exploded');
      return { kernelVersion: '6.1.0', operatingSystem: 'Test', architecture: 'x86_64', namespaces: { mnt: true, uts: true, ipc: true, pid: true, net: true, user: true, cgroup: true }, cgroup: { layout: 'v2', v2Root: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] }, overlay: true, memTotal: 1 << 30, ncpu: 2 };
    },
  });
  t.teardown(() => d.close());
  const c = connect(d.socket);
  t.teardown(() => c.ws.close());
  await c.until((m) => m.length >= 1);
  const snap = c.got[0]!;
  if (snap.type !== 'snapshot') throw new Error('first message must be the snapshot');
  const byName = new Map(snap.actors.map((a) => [a.name, a]));
  const engine = byName.get('engine')!;
  t.ok(engine, 'the root supervisor');
  t.equal(engine.parent, null);
  for (const child of ['events', 'jobs', 'serveapi']) t.equal(byName.get(child)?.parent, engine.id, `${child} under engine`);
  t.same(byName.get('serveapi')?.state, 'serving');
  t.same(engine.state, 'running');

  const r = await d.request('GET', '/version');
  t.equal(r.status, 200);
  await c.until((m) => m.some((x) => x.type === 'job.finished'));
  const spawned = c.got.find((m) => m.type === 'actor.spawned' && m.name.startsWith('system.version#'));
  t.ok(spawned, 'the job actor appeared');
  if (spawned?.type === 'actor.spawned') t.equal(spawned.parent, byName.get('jobs')!.id, 'jobs run under the jobs host');
  t.match(c.got.find((m) => m.type === 'job.finished'), { job: 'system.version', id: spawned && 'id' in spawned ? spawned.id : '' });
  t.ok(c.got.some((m) => m.type === 'actor.stopped' && m.status === 'done'), 'and ended');

  probeFails = true;
  const bad = await d.request('GET', '/info');
  t.equal(bad.status, 500);
  t.match(bad.json(), { message: /probe exploded/ });
  await c.until((m) => m.some((x) => x.type === 'job.failed'));
  t.match(c.got.find((m) => m.type === 'job.failed'), { job: 'system.info', kind: 'System', message: /probe exploded/ });
  const seqs = c.got.map((m) => m.seq);
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'sequence numbers increase');
});

t.test('a slow client loses messages, told how many, and memory stays bounded', async (t) => {
  const dir = testDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const stream = new ActorStream({ maxBuffered: 64 * 1024 });
  const server = http.createServer().on('upgrade', (req, s, h) => stream.handleUpgrade(req, s, h));
  const sock = path.join(dir, 'ws.sock');
  await new Promise<void>((r) => server.listen(sock, r));
  t.teardown(() => (stream.close(), server.close()));
  const c = connect(sock);
  await c.until((m) => m.length === 1);
  // Stop reading: the kernel buffers fill, then the server's socket buffer, then berth must drop.
  (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
  const total = 20000;
  const big = 'x'.repeat(500);
  for (let i = 0; i < total; i++) stream.jobFinished({ id: `j${i}`, actorId: `x:${i}`, name: big, ok: true, ms: 1 });
  (c.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  await new Promise((r) => setTimeout(r, 500));
  stream.jobFinished({ id: 'last', actorId: 'x:last', name: 'last', ok: true, ms: 1 });
  await c.until((m) => m.some((x) => x.type === 'job.finished' && x.job === 'last'));
  const finished = c.got.filter((m) => m.type === 'job.finished').length;
  const dropped = c.got.filter((m): m is Extract<ActorStreamMessage, { type: 'dropped' }> => m.type === 'dropped');
  t.ok(dropped.length >= 1, 'the client was told it missed messages');
  t.equal(dropped.reduce((n, m) => n + m.count, 0) + finished, total + 1, 'every message was delivered or counted as dropped');
  t.ok(finished < total / 2, `most were dropped rather than queued (${finished} delivered of ${total})`);
  t.equal(dropped[0]!.reason, 'slow-client');
});
