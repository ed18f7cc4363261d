import { conflict, invalidParameter, notModified } from '../../../protocol/errdefs.js';

/**
 * The container lifecycle as Docker defines it: which moves are legal from which status, and the
 * error (with dockerd's status code and wording) for each illegal one. Pure: the containers service
 * applies it to its persisted state; jobs ask for a move before doing the work and report the facts
 * (started, exited, paused, …) after.
 */

/** ContainerState.Status values. */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** Docker's ContainerState (as in inspect's `State`). */
export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

/** Requests (asked before the work) and facts (reported after it). */
export type LifecycleEvent =
  | { type: 'start' }
  | { type: 'started'; pid: number; at: string }
  | { type: 'exited'; exitCode: number; oomKilled: boolean; at: string; error?: string }
  | { type: 'stop' }
  | { type: 'kill' }
  | { type: 'pause' }
  | { type: 'paused' }
  | { type: 'unpause' }
  | { type: 'unpaused' }
  | { type: 'restarting' }
  | { type: 'exec' }
  | { type: 'remove'; force: boolean }
  | { type: 'dead'; error: string };

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The state of a container just created. */
export function createdState(): ContainerState {
  return { Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME };
}

function withStatus(s: ContainerState, Status: ContainerStatus, extra: Partial<ContainerState> = {}): ContainerState {
  return { ...s, ...extra, Status, Running: Status === 'running' || Status === 'paused', Paused: Status === 'paused', Restarting: Status === 'restarting', Dead: Status === 'dead' };
}

type Rule = (s: ContainerState, e: never, id: string) => ContainerState;

const notRunning = (id: string) => conflict(`Container ${id} is not running`);

/** For each event, what it does from each status; a status not listed refuses the event. */
type Rules = {
  [E in LifecycleEvent['type']]: Partial<Record<ContainerStatus, (s: ContainerState, e: Extract<LifecycleEvent, { type: E }>, id: string) => ContainerState>> & {
    refuse: (s: ContainerState, id: string) => Error;
  };
};

const RULES: Rules = {
  start: {
    // restarting: the monitor's restart policy starts it again.
    created: (s) => s, exited: (s) => s, restarting: (s) => s,
    refuse: (s) =>
      s.Status === 'running' ? notModified('Container already started')
      : s.Status === 'paused' ? conflict('cannot start a paused container, try unpause instead')
      : conflict('container is marked for removal and cannot be started'),
  },
  started: {
    created: startedState, exited: startedState, restarting: startedState,
    refuse: (s, id) => conflict(`container ${id}: cannot record a start while ${s.Status}`),
  },
  exited: {
    running: (s, e) => exitedState(s, e), paused: (s, e) => exitedState(s, e), restarting: (s, e) => exitedState(s, e), created: (s, e) => exitedState(s, e), removing: (s, e) => exitedState(s, e, 'removing'),
    refuse: (s, id) => conflict(`container ${id}: cannot record an exit while ${s.Status}`),
  },
  stop: { running: (s) => s, paused: (s) => s, restarting: (s) => s, refuse: () => notModified('Container already stopped') },
  kill: { running: (s) => s, paused: (s) => s, restarting: (s) => s, refuse: (_s, id) => conflict(`Cannot kill container: ${id}: Container ${id} is not running`) },
  pause: {
    running: (s) => s,
    refuse: (s, id) =>
      s.Status === 'paused' ? conflict(`Container ${id} is already paused`)
      : s.Status === 'restarting' ? conflict(`Container ${id} is restarting, wait until the container is running`)
      : notRunning(id),
  },
  paused: { running: (s) => withStatus(s, 'paused'), refuse: (_s, id) => notRunning(id) },
  unpause: { paused: (s) => s, refuse: (_s, id) => conflict(`Container ${id} is not paused`) },
  unpaused: { paused: (s) => withStatus(s, 'running'), refuse: (_s, id) => conflict(`Container ${id} is not paused`) },
  restarting: { running: (s) => withStatus(s, 'restarting'), exited: (s) => withStatus(s, 'restarting'), refuse: (s, id) => conflict(`container ${id}: cannot restart while ${s.Status}`) },
  exec: {
    running: (s) => s,
    refuse: (s, id) => (s.Status === 'paused' ? conflict(`Container ${id} is paused, unpause the container before exec`) : s.Status === 'restarting' ? conflict(`Container ${id} is restarting, wait until the container is running`) : notRunning(id)),
  },
  remove: {
    created: (s) => withStatus(s, 'removing'), exited: (s) => withStatus(s, 'removing'), dead: (s) => withStatus(s, 'removing'),
    running: (s, e, id) => forceOnly(s, e, id), paused: (s, e, id) => forceOnly(s, e, id), restarting: (s, e, id) => forceOnly(s, e, id),
    refuse: (_s, id) => conflict(`removal of container ${id} is already in progress`),
  },
  // Anything can turn out dead (a removal or start that failed half-way); dead is refused nothing.
  dead: { created: toDead, running: toDead, paused: toDead, restarting: toDead, removing: toDead, exited: toDead, dead: toDead, refuse: () => invalidParameter('unreachable') },
};

function startedState(s: ContainerState, e: { pid: number; at: string }): ContainerState {
  return withStatus(s, 'running', { Pid: e.pid, StartedAt: e.at, ExitCode: 0, Error: '', OOMKilled: false });
}

function exitedState(s: ContainerState, e: Extract<LifecycleEvent, { type: 'exited' }>, keep?: ContainerStatus): ContainerState {
  return withStatus(s, keep ?? 'exited', { Pid: 0, ExitCode: e.exitCode, OOMKilled: e.oomKilled, FinishedAt: e.at, Error: e.error ?? '' });
}

function forceOnly(s: ContainerState, e: { force: boolean }, id: string): ContainerState {
  if (!e.force) throw conflict(`cannot remove container "${id}": container is ${s.Status}: stop the container before removing or force remove`);
  return withStatus(s, 'removing');
}

function toDead(s: ContainerState, e: { error: string }): ContainerState {
  return withStatus(s, 'dead', { Pid: 0, Error: e.error });
}

/**
 * Applies one event to a container's state: the new state, or throws the Docker error for an illegal
 * move (NotModified 304, Conflict 409). `id` is how errors name the container (name or ID, as dockerd).
 */
export function transition(s: ContainerState, e: LifecycleEvent, id: string): ContainerState {
  const rules = RULES[e.type] as Partial<Record<ContainerStatus, Rule>> & { refuse: (s: ContainerState, id: string) => Error };
  if (!rules) throw invalidParameter(`container ${id}: unknown lifecycle event ${(e as { type: string }).type}`);
  const rule = rules[s.Status];
  if (!rule) throw rules.refuse(s, id);
  return rule(s, e as never, id);
}
