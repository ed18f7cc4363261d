import t from 'tap';
import { createdState, transition, type ContainerState, type LifecycleEvent } from '../../actors/services/containers/lifecycle.js';

const AT = '2026-11-28T12:00:00.000000000Z';
function walk(...events: LifecycleEvent[]): ContainerState {
  return events.reduce((s, e) => transition(s, e, 'c1'), createdState());
}

t.test('a normal life: create, start, pause, unpause, exit, remove', async (t) => {
  let s = walk({ type: 'start' }, { type: 'started', pid: 42, at: AT });
  t.match(s, { Status: 'running', Running: true, Pid: 42, StartedAt: AT });
  s = transition(transition(s, { type: 'pause' }, 'c1'), { type: 'paused' }, 'c1');
  t.match(s, { Status: 'paused', Running: true, Paused: true });
  s = transition(transition(s, { type: 'unpause' }, 'c1'), { type: 'unpaused' }, 'c1');
  t.match(s, { Status: 'running', Paused: false });
  s = transition(s, { type: 'exited', exitCode: 137, oomKilled: true, at: AT }, 'c1');
  t.match(s, { Status: 'exited', Running: false, Pid: 0, ExitCode: 137, OOMKilled: true, FinishedAt: AT });
  s = transition(s, { type: 'remove', force: false }, 'c1');
  t.equal(s.Status, 'removing');
});

t.test('illegal moves are Docker errors', async (t) => {
  const running = walk({ type: 'started', pid: 1, at: AT });
  const paused = transition(running, { type: 'paused' }, 'c1');
  const exited = transition(running, { type: 'exited', exitCode: 0, oomKilled: false, at: AT }, 'c1');
  const cases: [ContainerState, LifecycleEvent, string, RegExp][] = [
    [running, { type: 'start' }, 'NotModified', /Container already started/],
    [paused, { type: 'start' }, 'Conflict', /cannot start a paused container, try unpause instead/],
    [exited, { type: 'stop' }, 'NotModified', /Container already stopped/],
    [exited, { type: 'kill' }, 'Conflict', /Cannot kill container: c1: Container c1 is not running/],
    [exited, { type: 'pause' }, 'Conflict', /Container c1 is not running/],
    [paused, { type: 'pause' }, 'Conflict', /Container c1 is already paused/],
    [running, { type: 'unpause' }, 'Conflict', /Container c1 is not paused/],
    [running, { type: 'remove', force: false }, 'Conflict', /container is running: stop the container before removing or force remove/],
    [paused, { type: 'exec' }, 'Conflict', /is paused, unpause the container before exec/],
    [exited, { type: 'exec' }, 'Conflict', /Container c1 is not running/],
  ];
  for (const [s, e, kind, message] of cases) t.throws(() => transition(s, e, 'c1'), { name: `${kind}Error`, kind, message }, `${e.type} while ${s.Status}`);
  const removing = transition(exited, { type: 'remove', force: false }, 'c1');
  t.throws(() => transition(removing, { type: 'remove', force: true }, 'c1'), { name: 'ConflictError', message: /already in progress/ });
  t.throws(() => transition(removing, { type: 'start' }, 'c1'), { name: 'ConflictError', message: /marked for removal/ });
});

t.test('force removes a running container; anything can become dead', async (t) => {
  const running = walk({ type: 'started', pid: 1, at: AT });
  t.equal(transition(running, { type: 'remove', force: true }, 'c1').Status, 'removing');
  const dead = transition(running, { type: 'dead', error: 'rootfs vanished' }, 'c1');
  t.match(dead, { Status: 'dead', Dead: true, Running: false, Error: 'rootfs vanished' });
  t.equal(transition(dead, { type: 'remove', force: false }, 'c1').Status, 'removing');
});

t.test('restart policy moves: restarting then started again, exit codes reset', async (t) => {
  let s = walk({ type: 'started', pid: 1, at: AT }, { type: 'exited', exitCode: 3, oomKilled: false, at: AT });
  s = transition(s, { type: 'restarting' }, 'c1');
  t.match(s, { Status: 'restarting', Restarting: true });
  s = transition(s, { type: 'started', pid: 2, at: AT }, 'c1');
  t.match(s, { Status: 'running', ExitCode: 0, Pid: 2 });
});
