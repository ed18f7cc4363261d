import t from 'tap';
import { createActor, type AnyActorRef } from 'xstate';
import { BerthError } from '../../protocol/errdefs.js';
import { SimulatedClock } from '../../actors/kernel/clock.js';
import { supervisor, type ChildSpec, type SupervisorInput } from '../../actors/kernel/supervisor.js';
import { worker, type Trace } from '../helpers/actors.js';

function start(input: Partial<SupervisorInput> & { children: ChildSpec[] }, clock = new SimulatedClock(1000)) {
  const errors: unknown[] = [];
  const actor = createActor(supervisor, {
    clock,
    input: { name: 'root', strategy: 'one_for_one', intensity: { maxRestarts: 3, periodMs: 5000 }, ...input },
  });
  actor.subscribe({ error: (e) => errors.push(e) });
  actor.start();
  const child = (id: string) => (actor.getSnapshot().children as Record<string, AnyActorRef>)[id]!;
  return { actor, errors, clock, child };
}

const spec = (trace: Trace, id: string, restart: ChildSpec['restart'] = 'permanent', extra: Partial<ChildSpec> = {}): ChildSpec => ({
  id,
  logic: worker(trace, id, extra.input as never),
  restart,
  ...extra,
});

t.test('children start in order', async (t) => {
  const trace: Trace = [];
  start({ children: [spec(trace, 'a'), spec(trace, 'b'), spec(trace, 'c')] });
  t.same(trace, ['start a', 'start b', 'start c']);
});

t.test('one_for_one restarts only the failed child', async (t) => {
  const trace: Trace = [];
  const s = start({ children: [spec(trace, 'a'), spec(trace, 'b'), spec(trace, 'c')] });
  trace.length = 0;
  s.child('b').send({ type: 'crash' });
  t.same(trace, ['stop b', 'start b']);
  t.equal(s.child('b').getSnapshot().status, 'active', 'b runs again');
  t.same(s.errors, [], 'the supervisor itself is fine');
});

t.test('rest_for_one restarts the failed child and every later one, in order', async (t) => {
  const trace: Trace = [];
  const s = start({ strategy: 'rest_for_one', children: [spec(trace, 'a'), spec(trace, 'b'), spec(trace, 'c'), spec(trace, 'd')] });
  trace.length = 0;
  s.child('b').send({ type: 'crash' });
  t.same(trace, ['stop b', 'stop d', 'stop c', 'start b', 'start c', 'start d']);
  t.equal(s.child('a').getSnapshot().status, 'active', 'a is untouched');
});

t.test('restart types: permanent, transient, temporary', async (t) => {
  const trace: Trace = [];
  const s = start({
    children: [spec(trace, 'perm'), spec(trace, 'trans', 'transient'), spec(trace, 'temp', 'temporary'), spec(trace, 'trans2', 'transient')],
  });
  trace.length = 0;
  s.child('perm').send({ type: 'finish' });
  t.same(trace, ['stop perm', 'start perm'], 'a permanent child comes back even after a normal exit');
  trace.length = 0;
  s.child('trans').send({ type: 'finish' });
  t.same(trace, ['stop trans'], 'a transient child that ends normally stays down');
  t.notOk(s.child('trans'), 'and is forgotten');
  trace.length = 0;
  s.child('trans2').send({ type: 'crash' });
  t.same(trace, ['stop trans2', 'start trans2'], 'a transient child that fails comes back');
  trace.length = 0;
  s.child('temp').send({ type: 'crash' });
  t.same(trace, ['stop temp'], 'a temporary child never comes back');
  t.same(s.errors, []);
});

t.test('restart intensity exceeded: every child stops and the supervisor fails', async (t) => {
  const trace: Trace = [];
  const s = start({ intensity: { maxRestarts: 2, periodMs: 1000 }, children: [spec(trace, 'a'), spec(trace, 'b')] });
  s.child('b').send({ type: 'crash' });
  s.clock.advance(100);
  s.child('b').send({ type: 'crash' });
  t.equal(s.errors.length, 0, 'two restarts are within the intensity');
  trace.length = 0;
  s.child('b').send({ type: 'crash' });
  t.equal(s.errors.length, 1, 'the third failure in the window escalates');
  const err = s.errors[0] as BerthError;
  t.type(err, BerthError);
  t.equal(err.kind, 'System');
  t.match(err.message, /supervisor root: restart intensity reached \(2 restarts in 1000 ms\); last: b: b crashed/);
  t.same(trace, ['stop b', 'stop a'], 'children stopped in reverse order, b first');
  t.equal(s.actor.getSnapshot().status, 'error');
});

t.test('failures spread wider than the window do not escalate', async (t) => {
  const trace: Trace = [];
  const s = start({ intensity: { maxRestarts: 1, periodMs: 1000 }, children: [spec(trace, 'a')] });
  for (let i = 0; i < 5; i++) {
    s.child('a').send({ type: 'crash' });
    s.clock.advance(1001);
  }
  t.same(s.errors, []);
  t.equal(s.child('a').getSnapshot().status, 'active');
});

t.test('an escalation reaches the parent supervisor, which restarts the child supervisor', async (t) => {
  const trace: Trace = [];
  const inner: ChildSpec = {
    id: 'inner',
    restart: 'permanent',
    logic: supervisor,
    input: { name: 'inner', strategy: 'one_for_one', intensity: { maxRestarts: 0, periodMs: 1000 }, children: [spec(trace, 'x')] },
  };
  const s = start({ children: [spec(trace, 'a'), inner] });
  trace.length = 0;
  const x = (s.child('inner').getSnapshot().children as Record<string, AnyActorRef>)['x']!;
  x.send({ type: 'crash' });
  t.same(trace, ['stop x', 'start x'], 'inner gave up, outer started a fresh inner with a fresh x');
  t.same(s.errors, []);
  t.equal(s.child('a').getSnapshot().status, 'active');
});

t.test('shutdown stops children in reverse order, gracefully where asked', async (t) => {
  const trace: Trace = [];
  const s = start({
    children: [
      spec(trace, 'a'),
      { id: 'b', restart: 'permanent', logic: worker(trace, 'b'), shutdownMs: 1000 },
      { id: 'c', restart: 'permanent', logic: worker(trace, 'c', { ignoreShutdown: true }), shutdownMs: 500 },
    ],
  });
  trace.length = 0;
  s.actor.send({ type: 'supervisor.shutdown' });
  t.same(trace, [], 'c was asked to stop and ignores it for now');
  s.clock.advance(499);
  t.same(trace, []);
  s.clock.advance(1);
  t.same(trace, ['stop c', 'stop b', 'stop a'], 'c killed after its grace period; b ended by itself; a stopped at once');
  t.equal(s.actor.getSnapshot().status, 'done', 'the supervisor ends normally');
  t.equal(s.clock.pending, 0, 'no timer left behind');
  t.same(s.errors, []);
});

t.test('a graceful child that ends in time cancels its kill timer', async (t) => {
  const trace: Trace = [];
  const s = start({ children: [{ id: 'b', restart: 'permanent', logic: worker(trace, 'b'), shutdownMs: 1000 }] });
  s.actor.send({ type: 'supervisor.shutdown' });
  t.equal(s.actor.getSnapshot().status, 'done');
  t.equal(s.clock.pending, 0);
});

t.test('no xstate error escapes as an unhandled exception', async (t) => {
  const seen: unknown[] = [];
  const onUncaught = (e: unknown) => seen.push(e);
  process.on('uncaughtException', onUncaught);
  const trace: Trace = [];
  const s = start({ intensity: { maxRestarts: 0, periodMs: 1000 }, children: [spec(trace, 'a')] });
  s.child('a').send({ type: 'crash' });
  await new Promise((r) => setTimeout(r, 20));
  process.off('uncaughtException', onUncaught);
  t.same(seen, []);
  t.equal(s.errors.length, 1, 'the root observer got the escalation');
});
