/**
 * Messages of the live actor stream (WebSocket at ACTOR_STREAM_PATH): the actor system projected to
 * small JSON messages. Every message has a sequence number, so a client sees where messages were
 * dropped, and a time in milliseconds since the epoch.
 */

/** One actor in a tree snapshot. */
export interface ActorNode {
  /** Unique for the daemon's lifetime (xstate's session id). */
  id: string;
  /** The actor's name: a job (`system.version#3`), a service (`events`), a supervisor (`engine`). */
  name: string;
  parent: string | null;
  /** The state value of a machine, when it has one. */
  state?: unknown;
  status: 'active' | 'done' | 'error' | 'stopped';
}

interface Base {
  seq: number;
  time: number;
}

/** What the stream carries. */
export type ActorStreamMessage =
  | (Base & { type: 'snapshot'; actors: ActorNode[] })
  | (Base & { type: 'actor.spawned'; id: string; name: string; parent: string | null })
  | (Base & { type: 'actor.stopped'; id: string; status: 'done' | 'error' | 'stopped' })
  | (Base & { type: 'event'; id: string; source: string | null; event: string })
  | (Base & { type: 'state'; id: string; state: unknown })
  | (Base & { type: 'job.finished'; id: string; job: string; ms: number })
  | (Base & { type: 'job.failed'; id: string; job: string; kind: string; message: string; ms: number })
  /** Sent to a slow client in place of the messages it could not take. */
  | (Base & { type: 'dropped'; count: number; reason: 'slow-client' });
