import t from 'tap';
import { rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createActor } from 'xstate';
import { defaultConfig } from '../../actors/config.js';
import { listenAll } from '../../actors/system/api/listen.js';
import { RequestTracker, type ApiServer } from '../../actors/system/api/server.js';
import { serveApi } from '../../actors/system/serveapi.js';
import { request, testDir } from '../helpers/daemon.js';

t.test('drain: requests in flight finish, open streams end, then the listener closes', async (t) => {
  const dir = testDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sock = path.join(dir, 'api.sock');
  const listeners = await listenAll({ ...defaultConfig(), hosts: [`unix://${sock}`] });
  const tracker = new RequestTracker();
  const api: ApiServer = {
    request(req, res) {
      const entry = tracker.begin(res);
      res.on('close', () => tracker.done(entry));
      if (req.url === '/slow') setTimeout(() => res.end('slow done'), 300);
      else {
        res.writeHead(200);
        res.flushHeaders();
        entry.abort.signal.addEventListener('abort', () => res.end('stream ended'));
      }
    },
    upgrade: (_req, socket) => socket.destroy(),
  };
  const actor = createActor(serveApi, { input: { listeners, api, tracker, drainMs: 5000 } });
  actor.start();
  const slow = request(sock, 'GET', '/slow');
  const stream = request(sock, 'GET', '/stream');
  await new Promise((r) => setTimeout(r, 50));
  t.equal(tracker.size, 2);
  actor.send({ type: 'supervisor.shutdown' });
  t.match(actor.getSnapshot().value, 'draining');
  await t.rejects(request(sock, 'GET', '/slow'), 'no new connections while draining');
  t.equal((await stream).body, 'stream ended');
  t.equal((await slow).body, 'slow done', 'the slow request was allowed to finish');
  await new Promise<void>((resolve) => actor.subscribe({ complete: () => resolve() }));
  t.equal(actor.getSnapshot().status, 'done');
  t.equal(listeners[0]!.server.listening, false);
});

t.test('drain: past the grace period, connections are cut', async (t) => {
  const dir = testDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sock = path.join(dir, 'api.sock');
  const listeners = await listenAll({ ...defaultConfig(), hosts: [`unix://${sock}`] });
  const tracker = new RequestTracker();
  const api: ApiServer = {
    request(_req, res) {
      const entry = tracker.begin(res);
      res.on('close', () => tracker.done(entry)); // never answers
    },
    upgrade: (_req, socket) => socket.destroy(),
  };
  const actor = createActor(serveApi, { input: { listeners, api, tracker, drainMs: 200 } });
  actor.start();
  const hung = new Promise<string>((resolve) => {
    http.get({ socketPath: sock, path: '/hang' }).on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
  });
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  actor.send({ type: 'supervisor.shutdown' });
  t.equal(await hung, 'ECONNRESET');
  t.ok(Date.now() - started >= 150, 'cut only after the grace period');
});
