/**
 * The exec driver conformance suite: the same cases through the driver actor against every
 * backend (fake, native). A fixture says how to make a backend, a spec for a shell command and
 * the paths of a container.
 */
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Test } from 'tap';
import { createActor, type Actor } from 'xstate';

import { ask } from '../../actors/kernel/ask.js';
import type { ContainerState, ExecBackend, ExecPaths, ExecProcess, ExitStatus, ProcessStreams } from '../../drivers/exec/backend.js';
import { EXEC_DRIVER_ID, execDriver, type ExecDriverRequest } from '../../drivers/exec/driver.js';
import { readJsonLog } from '../../drivers/exec/jsonlog.js';
import { ANNOTATION_STDIN, type OciSpec } from '../../drivers/exec/spec.js';
import { kindOf } from '../../protocol/errdefs.js';

/** What a backend under test needs from its test file. */
export interface ExecFixture {
  /** A new backend instance (a second one stands for a restarted daemon). */
  backend(): ExecBackend;
  /** A spec running `sh -c script`. */
  spec(script: string): OciSpec;
  /** Paths for container `id` (fresh per call). */
  paths(id: string): ExecPaths;
  /** Whether pause can be tested (the native backend needs a cgroup for it). */
  pause?: boolean;
}

/** A started driver actor and a typed ask() to it. */
export interface DriverHandle {
  actor: Actor<typeof execDriver>;
  call<T>(req: ExecDriverRequest, timeoutMs?: number): Promise<T>;
  stop(): void;
}

/** Starts a driver actor over a backend. */
export function startDriver(backend: ExecBackend): DriverHandle {
  const actor = createActor(execDriver, { input: { backend }, systemId: EXEC_DRIVER_ID });
  actor.start();
  return {
    actor,
    call: <T>(req: ExecDriverRequest, timeoutMs = 20_000) => ask<T>(actor.system, EXEC_DRIVER_ID, req, { timeoutMs }),
    stop: () => actor.stop(),
  };
}

/** Reads a stream to its end as text. */
export async function text(r: Readable): Promise<string> {
  let s = '';
  for await (const c of r) s += (c as Buffer).toString();
  return s;
}

/** Resolves once `pred` holds (polling), or fails after `ms`. */
export async function until(pred: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function rejectsWith(t: Test, p: Promise<unknown>, kind: string, what: string): Promise<Error | null> {
  const err = await p.then(() => null, (e: unknown) => e as Error);
  t.equal(err === null ? 'resolved' : kindOf(err), kind, `${what}: ${err?.message ?? 'no error'}`);
  return err;
}

/** Creates and starts a container; returns its paths. */
async function run(d: DriverHandle, fx: ExecFixture, id: string, script: string, before?: () => Promise<void>): Promise<ExecPaths> {
  const paths = fx.paths(id);
  const st = await d.call<ContainerState>({ type: 'exec.create', id, spec: fx.spec(script), paths });
  if (st.status !== 'created') throw new Error(`create ${id}: status ${st.status}`);
  await before?.();
  await d.call({ type: 'exec.start', id });
  return paths;
}

/** The suite. */
export function execDriverConformance(t: Test, fx: ExecFixture): void {
  t.test('exit codes pass back, state follows, clean removes the state', async (t) => {
    const d = startDriver(fx.backend());
    t.teardown(() => d.stop());
    const paths = await run(d, fx, 'exit3', 'exit 3');
    const exit = await d.call<ExitStatus>({ type: 'exec.wait', id: 'exit3' });
    t.equal(exit.exitCode, 3);
    t.equal(exit.signal, null);
    t.equal(exit.oomKilled, false);
    t.match(exit.finishedAt, /^\d{4}-\d\d-\d\dT/);
    const st = await d.call<ContainerState>({ type: 'exec.state', id: 'exit3' });
    t.equal(st.status, 'exited');
    t.equal(st.exit?.exitCode, 3);
    t.ok(existsSync(`${paths.state}/exit.json`), 'exit.json written');
    const restarted = startDriver(fx.backend());
    t.teardown(() => restarted.stop());
    const again = await restarted.call<ContainerState>({ type: 'exec.reattach', id: 'exit3', paths });
    t.same([again.status, again.exit?.exitCode], ['exited', 3], 'a restarted driver finds the exit');
    await d.call({ type: 'exec.clean', id: 'exit3' });
    t.notOk(existsSync(paths.state), 'state dir removed');
    await rejectsWith(t, d.call({ type: 'exec.state', id: 'exit3' }), 'NotFound', 'state after clean');
  });

  t.test('output reaches attach and the json-file log', async (t) => {
    const d = startDriver(fx.backend());
    t.teardown(() => d.stop());
    let streams: ProcessStreams | undefined;
    const paths = await run(d, fx, 'out', 'echo out; echo err >&2; printf partial', async () => {
      streams = await d.call<ProcessStreams>({ type: 'exec.attach', id: 'out' });
    });
    const [out, err] = await Promise.all([text(streams!.stdout), text(streams!.stderr)]);
    t.equal(out, 'out\npartial');
    t.equal(err, 'err\n');
    t.equal((await d.call<ExitStatus>({ type: 'exec.wait', id: 'out' })).exitCode, 0);
    const log = readJsonLog(paths.log);
    t.same(log.map((e) => [e.stream, e.log]).sort(), [['stderr', 'err\n'], ['stdout', 'out\n'], ['stdout', 'partial']]);
    t.ok(log.every((e) => !Number.isNaN(Date.parse(e.time))), 'every entry has a time');
    await d.call({ type: 'exec.clean', id: 'out' });
  });

  t.test('attach with stdin open: input reaches the container, stdinOnce closes it', async (t) => {
    const d = startDriver(fx.backend());
    t.teardown(() => d.stop());
    const spec = fx.spec('while read line; do echo "got $line"; done; echo eof');
    spec.annotations = { ...spec.annotations, [ANNOTATION_STDIN]: 'open' };
    const paths = fx.paths('stdin');
    await d.call({ type: 'exec.create', id: 'stdin', spec, paths });
    const s = await d.call<ProcessStreams>({ type: 'exec.attach', id: 'stdin', options: { stdinOnce: true } });
    t.ok(s.stdin, 'stdin is offered');
    await d.call({ type: 'exec.start', id: 'stdin' });
    s.stdin!.write('a\n');
    s.stdin!.end('b\n');
    t.equal(await text(s.stdout), 'got a\ngot b\neof\n');
    t.equal((await d.call<ExitStatus>({ type: 'exec.wait', id: 'stdin' })).exitCode, 0);
    await d.call({ type: 'exec.clean', id: 'stdin' });
  });

  t.test('signals: a trapped TERM and a KILL', async (t) => {
    const d = startDriver(fx.backend());
    t.teardown(() => d.stop());
    const paths = await run(d, fx, 'term', 'trap "exit 143" TERM; echo ready; while :; do sleep 1; done');
    // As PID 1 the shell ignores TERM until its trap is set.
    await until(() => readJsonLog(paths.log).length > 0, 10_000, 'the trap');
    await d.call({ type: 'exec.kill', id: 'term', signal: 'TERM' });
    t.equal((await d.call<ExitStatus>({ type: 'exec.wait', id: 'term' })).exitCode, 143);
    await run(d, fx, 'killed', 'while :; do sleep 1; done');
    await d.call({ type: 'exec.kill', id: 'killed', signal: 9 });
    const exit = await d.call<ExitStatus>({ type: 'exec.wait', id: 'killed' });
    t.same([exit.exitCode, exit.signal], [137, 9]);
    await rejectsWith(t, d.call({ type: 'exec.kill', id: 'killed', signal: 'TERM' }), 'Conflict', 'kill an exited container');
    await rejectsWith(t, d.call({ type: 'exec.kill', id: 'nope', signal: 'TERM' }), 'NotFound', 'kill an unknown container');
    for (const id of ['term', 'killed']) await d.call({ type: 'exec.clean', id });
  });

  t.test('exec runs a second process with its own streams and code', async (t) => {
    const d = startDriver(fx.backend());
    t.teardown(() => d.stop());
    await run(d, fx, 'host', 'while :; do sleep 1; done');
    await rejectsWith(t, d.call({ type: 'exec.clean', id: 'host' }), 'Conflict', 'clean a running container');
    const p = await d.call<ExecProcess>({ type: 'exec.exec', id: 'host', process: { args: ['sh', '-c', 'read x; echo got $x; echo e >&2; exit 5'], cwd: '/' } });
    p.stdin!.end('line\n');
    const [out, err, exit] = await Promise.all([text(p.stdout), text(p.stderr), p.exit]);
    t.same([out, err, exit.exitCode], ['got line\n', 'e\n', 5]);
    await d.call({ type: 'exec.kill', id: 'host', signal: 'KILL' });
    await d.call({ type: 'exec.wait', id: 'host' });
    await d.call({ type: 'exec.clean', id: 'host' });
  });

  t.test('a missing program fails start and names it', async (t) => {
    const d = startDriver(fx.backend());
    t.teardown(() => d.stop());
    const paths = fx.paths('nosuch');
    const spec = fx.spec('true');
    spec.process.args = ['nosuch-program'];
    await d.call({ type: 'exec.create', id: 'nosuch', spec, paths });
    const err = await d.call({ type: 'exec.start', id: 'nosuch' }).then(() => null, (e: Error) => e);
    t.match(err?.message, /nosuch-program/);
    const exit = await d.call<ExitStatus>({ type: 'exec.wait', id: 'nosuch' });
    t.equal(exit.exitCode, 127, 'exit 127 as Docker reports a command not found');
    await d.call({ type: 'exec.clean', id: 'nosuch' });
  });

  t.test('a new driver reattaches to a running container and its log is intact', async (t) => {
    const first = startDriver(fx.backend());
    // `go` is relative: the container's / natively, a scratch dir with the fake.
    const script = 'echo one; while [ ! -e go ]; do sleep 0.2; done; rm go; echo two; while :; do sleep 1; done';
    let streams: ProcessStreams | undefined;
    const paths = await run(first, fx, 'survivor', script, async () => {
      streams = await first.call<ProcessStreams>({ type: 'exec.attach', id: 'survivor' });
    });
    await until(() => readJsonLog(paths.log).length >= 1, 10_000, 'the first line');
    streams!.stdout.destroy();
    first.stop();
    const second = startDriver(fx.backend());
    t.teardown(() => second.stop());
    const st = await second.call<ContainerState>({ type: 'exec.reattach', id: 'survivor', paths });
    t.equal(st.status, 'running', 'still running after the first driver went away');
    const p = await second.call<ExecProcess>({ type: 'exec.exec', id: 'survivor', process: { args: ['sh', '-c', 'touch go'], cwd: '/' } });
    p.stdin?.end();
    t.equal((await p.exit).exitCode, 0);
    await until(() => readJsonLog(paths.log).length >= 2, 10_000, 'the second line');
    await second.call({ type: 'exec.kill', id: 'survivor', signal: 'KILL' });
    t.equal((await second.call<ExitStatus>({ type: 'exec.wait', id: 'survivor' })).exitCode, 137);
    t.same(readJsonLog(paths.log).map((e) => e.log), ['one\n', 'two\n']);
    await second.call({ type: 'exec.clean', id: 'survivor' });
  });

  t.test('pause freezes and resume thaws', { skip: fx.pause === false ? 'this fixture has no cgroup to freeze' : false }, async (t) => {
    const d = startDriver(fx.backend());
    t.teardown(() => d.stop());
    const paths = await run(d, fx, 'ticker', 'i=0; while :; do echo $i; i=$((i+1)); sleep 0.1; done');
    await until(() => readJsonLog(paths.log).length >= 2, 10_000, 'ticks');
    await d.call({ type: 'exec.pause', id: 'ticker' });
    // Output already in the pipe still reaches the log: count once it has settled.
    await new Promise((r) => setTimeout(r, 300));
    const frozen = readJsonLog(paths.log).length;
    await new Promise((r) => setTimeout(r, 600));
    t.equal(readJsonLog(paths.log).length, frozen, 'no output while paused');
    await d.call({ type: 'exec.resume', id: 'ticker' });
    await until(() => readJsonLog(paths.log).length > frozen + 1, 10_000, 'ticks after resume');
    await d.call({ type: 'exec.kill', id: 'ticker', signal: 'KILL' });
    await d.call({ type: 'exec.wait', id: 'ticker' });
    await d.call({ type: 'exec.clean', id: 'ticker' });
  });
}
