import t from 'tap';
import { createActor, createMachine, fromPromise } from 'xstate';
import { notFound } from '../../protocol/errdefs.js';
import { SimulatedClock } from '../../actors/kernel/clock.js';
import { Handlers } from '../../actors/kernel/handlers.js';
import type { JobType } from '../../actors/kernel/job.js';
import { memoryLogger } from '../../actors/kernel/log.js';
import { JobRunner, jobsHost, type JobResult } from '../../actors/kernel/runner.js';

declare module '../../actors/kernel/job.js' {
  interface Jobs {
    'test.double': JobType<{ n: number }, number>;
    'test.missing': JobType<{ what: string }, never>;
    'test.crash': JobType<void, never>;
  }
}

function setupRunner() {
  const host = createActor(jobsHost);
  host.start();
  const log = memoryLogger();
  const results: JobResult[] = [];
  const handlers = new Handlers()
    .register({ name: 'test.double', logic: fromPromise(async ({ input }: { input: { args: { n: number } } }) => input.args.n * 2), describe: (a: { n: number }) => String(a.n) } as never)
    .register({ name: 'test.missing', logic: fromPromise(async ({ input }: { input: { args: { what: string } } }) => { throw notFound(`No such thing: ${input.args.what}`); }) } as never)
    .register({ name: 'test.crash', logic: createMachine({ entry: () => { throw new TypeError('undefined is not a function'); } }) } as never);
  const runner = new JobRunner(handlers, { host: () => host, ctx: {}, log, clock: new SimulatedClock(), onFinish: (r) => results.push(r) });
  return { runner, log, results, host };
}

t.test('a job returns its output and is logged +job / -job', async (t) => {
  const { runner, log, results } = setupRunner();
  t.equal(await runner.run('test.double', { n: 21 }), 42);
  t.same(log.lines, ['INFO +job test.double(21)', 'INFO -job test.double(21) = OK']);
  t.match(results, [{ name: 'test.double', ok: true, id: 'test.double#1' }]);
  t.equal(runner.inFlight, 0);
});

t.test('a failing job fails back to its caller with its error kind', async (t) => {
  const { runner, log, results } = setupRunner();
  await t.rejects(runner.run('test.missing', { what: 'x' }), { kind: 'NotFound', message: 'No such thing: x' });
  t.match(log.lines[1], /-job test.missing\(\) = ERR NotFound error="No such thing: x"/);
  t.match(results, [{ ok: false, kind: 'NotFound' }]);
});

t.test('a crashing job machine becomes a System error for the caller, not a process crash', async (t) => {
  const seen: unknown[] = [];
  const onUncaught = (e: unknown) => seen.push(e);
  process.on('uncaughtException', onUncaught);
  const { runner, host } = setupRunner();
  await t.rejects(runner.run('test.crash', undefined), { kind: 'System', message: /job test.crash: undefined is not a function/ });
  await new Promise((r) => setTimeout(r, 10));
  process.off('uncaughtException', onUncaught);
  t.same(seen, []);
  t.equal(host.getSnapshot().status, 'active', 'the host is unaffected');
});

t.test('an unknown job is NotFound', async (t) => {
  const { runner } = setupRunner();
  t.throws(() => runner.run('nope.nope' as never, undefined as never), { name: 'NotFoundError', kind: 'NotFound' });
});

t.test('idle() waits for in-flight jobs', async (t) => {
  const { runner } = setupRunner();
  const p = runner.run('test.double', { n: 1 });
  t.equal(runner.inFlight, 1);
  let idle = false;
  const i = runner.idle().then(() => (idle = true));
  t.notOk(idle);
  await p;
  await i;
  t.ok(idle);
});
