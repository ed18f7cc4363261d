import t from 'tap';
import { assign, createActor, fromPromise, sendTo, setup } from 'xstate';
import { BerthError } from '../../protocol/errdefs.js';
import { ask, replyOf, type Request } from '../../actors/kernel/ask.js';
import { Bus, topicMatches } from '../../actors/kernel/bus.js';
import { SimulatedClock } from '../../actors/kernel/clock.js';
import { Handlers } from '../../actors/kernel/handlers.js';
import { memoryLogger } from '../../actors/kernel/log.js';

t.test('bus: topics and patterns', async (t) => {
  t.ok(topicMatches('*', 'container.create'));
  t.ok(topicMatches('container.*', 'container.create'));
  t.notOk(topicMatches('container.*', 'image.pull'));
  t.ok(topicMatches('daemon.start', 'daemon.start'));
  t.notOk(topicMatches('daemon.start', 'daemon.shutdown'));
});

t.test('bus: delivery in order, unsubscribe, a failing subscriber does not stop the rest', async (t) => {
  const log = memoryLogger();
  const bus = new Bus(log);
  const got: string[] = [];
  bus.subscribe('daemon.*', () => {
    throw new Error('bad subscriber');
  });
  const off = bus.subscribe('*', (m) => got.push(`${m.topic}:${(m.payload as { id: string }).id}`));
  const a = bus.publish('daemon.start', { id: 'x', attributes: {} });
  bus.publish('daemon.shutdown', { id: 'y', attributes: {} });
  off();
  bus.publish('daemon.start', { id: 'z', attributes: {} });
  t.same(got, ['daemon.start:x', 'daemon.shutdown:y']);
  t.equal(bus.size, 1);
  t.match(log.lines.join('\n'), /bus: a subscriber failed topic="daemon.start" error="bad subscriber"/);
  t.ok(a.timeNano > 1_600_000_000_000_000_000n, 'timeNano is nanoseconds since the epoch');
});

/** A service answering `get` with its counter and failing `explode` with a typed error. */
const service = setup({
  types: {} as { context: { n: number }; events: { type: 'inc' } | ({ type: 'get' } & Request) | ({ type: 'explode' } & Request) | ({ type: 'ignore' } & Request) },
}).createMachine({
  context: { n: 0 },
  on: {
    inc: { actions: assign({ n: ({ context }) => context.n + 1 }) },
    get: { actions: sendTo(({ event }) => event.replyTo, ({ context }) => replyOf({ value: context.n })) },
    explode: { actions: sendTo(({ event }) => event.replyTo, () => replyOf({ error: new BerthError('Conflict', 'explode: already exploded') })) },
  },
});

t.test('ask: request / reply by systemId, typed errors, deadline and not found', async (t) => {
  const clock = new SimulatedClock();
  const root = createActor(service, { systemId: 'svc', clock });
  root.start();
  root.send({ type: 'inc' });
  t.equal(await ask<number>(root.system, 'svc', { type: 'get' }, { clock }), 1);
  await t.rejects(ask(root.system, 'svc', { type: 'explode' }, { clock }), { kind: 'Conflict', message: 'explode: already exploded' });
  await t.rejects(ask(root.system, 'nobody', { type: 'get' }, { clock }), { name: 'NotFoundError', kind: 'NotFound' });
  const late = ask(root.system, 'svc', { type: 'ignore' }, { clock, timeoutMs: 200 });
  clock.advance(199);
  let settled = false;
  late.catch(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  t.notOk(settled, 'still waiting before the deadline');
  clock.advance(1);
  await t.rejects(late, { kind: 'Deadline', message: /ask svc ignore: no reply within 200 ms/ });
  root.stop();
});

t.test('handlers map: duplicates refused, unknown is NotFound', async (t) => {
  const h = new Handlers();
  const logic = fromPromise(async () => 1);
  h.register({ name: 'a.b', logic } as never);
  t.throws(() => h.register({ name: 'a.b', logic } as never), { name: 'ConflictError', kind: 'Conflict' });
  t.throws(() => h.get('c.d'), { name: 'NotFoundError', kind: 'NotFound', message: 'job c.d: no such job handler' });
  t.same(h.names(), ['a.b']);
  const err = (() => {
    try {
      h.get('x');
    } catch (e) {
      return e;
    }
  })();
  t.type(err, BerthError);
});
