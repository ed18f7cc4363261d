import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { InspectionEvent } from 'xstate';
import type { ActorNode, ActorStreamMessage } from '../../protocol/types/actorstream.js';
import type { JobResult } from '../kernel/runner.js';

/** The parts of an xstate actor ref the projection reads. */
interface InspectedRef {
  id: string;
  sessionId: string;
  _parent?: { sessionId: string };
  getSnapshot(): { status: string; value?: unknown };
}

interface Tracked {
  ref: InspectedRef;
  parent: string | null;
  state?: string;
}

interface Client {
  ws: WebSocket;
  dropped: number;
}

/** Distributive Omit, so each message variant keeps its own fields. */
type Unsequenced = ActorStreamMessage extends infer M ? (M extends ActorStreamMessage ? Omit<M, 'seq' | 'time'> : never) : never;

/**
 * The live actor stream: xstate's inspection events projected to small JSON messages and sent to every
 * WebSocket client. A client that does not keep up loses messages instead of growing the daemon's
 * memory: past `maxBuffered` bytes queued on its socket, messages are counted, not queued, and a
 * `dropped` message tells it how many it missed before the next one it gets.
 */
export class ActorStream {
  private readonly tree = new Map<string, Tracked>();
  private readonly clients = new Set<Client>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private seq = 0;

  constructor(private readonly opts: { maxBuffered?: number; maxClients?: number; now?: () => number } = {}) {}

  /** The xstate inspector: pass it as `inspect` when creating the root actor. */
  readonly inspect = (ev: InspectionEvent): void => {
    const ref = ev.actorRef as unknown as InspectedRef;
    if (ev.type === '@xstate.actor') return this.spawned(ref);
    if (ev.type === '@xstate.snapshot') return this.snapshotChanged(ref);
    if (ev.type === '@xstate.event' && this.clients.size) {
      const source = (ev.sourceRef as unknown as InspectedRef | undefined)?.sessionId ?? null;
      this.broadcast({ type: 'event', id: ref.sessionId, source, event: ev.event.type });
    }
  };

  /** Reports a finished or failed job (from the job runner). */
  jobFinished(r: JobResult): void {
    if (!this.clients.size) return;
    if (r.ok) this.broadcast({ type: 'job.finished', id: r.actorId, job: r.name, ms: r.ms });
    else this.broadcast({ type: 'job.failed', id: r.actorId, job: r.name, kind: r.kind ?? 'System', message: r.message ?? '', ms: r.ms });
  }

  /** The live tree, pruning actors that stopped without a final snapshot (stopChild does that). */
  snapshot(): ActorNode[] {
    for (const [id, t] of this.tree) if (t.ref.getSnapshot().status !== 'active') this.remove(id, 'stopped');
    return [...this.tree.entries()].map(([id, t]) => ({ id, name: t.ref.id, parent: t.parent, status: 'active', ...(t.state && { state: JSON.parse(t.state) }) }));
  }

  /** Takes a WebSocket upgrade for the stream; sends the tree snapshot first. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.clients.size >= (this.opts.maxClients ?? 32)) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"message":"actor stream: too many clients"}');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const client: Client = { ws, dropped: 0 };
      this.clients.add(client);
      ws.on('close', () => this.clients.delete(client));
      ws.on('error', () => ws.terminate());
      this.sendTo(client, this.stamp({ type: 'snapshot', actors: this.snapshot() }));
    });
  }

  /** How many clients are connected. */
  get size(): number {
    return this.clients.size;
  }

  /** Closes every client connection. */
  close(): void {
    for (const c of this.clients) c.ws.close(1001, 'daemon shutting down');
    this.clients.clear();
  }

  private spawned(ref: InspectedRef): void {
    const parent = ref._parent?.sessionId ?? null;
    this.tree.set(ref.sessionId, { ref, parent });
    if (this.tree.size % 512 === 0) this.snapshot(); // sweep actors stopped silently, so the tree stays small
    if (this.clients.size) this.broadcast({ type: 'actor.spawned', id: ref.sessionId, name: ref.id, parent });
  }

  private snapshotChanged(ref: InspectedRef): void {
    const t = this.tree.get(ref.sessionId);
    if (!t) return;
    const snap = ref.getSnapshot();
    if (snap.status !== 'active') return this.remove(ref.sessionId, snap.status === 'done' || snap.status === 'error' ? snap.status : 'stopped');
    if (snap.value === undefined) return;
    const state = JSON.stringify(snap.value);
    if (state === t.state) return;
    t.state = state;
    if (this.clients.size) this.broadcast({ type: 'state', id: ref.sessionId, state: snap.value });
  }

  private remove(id: string, status: 'done' | 'error' | 'stopped'): void {
    if (!this.tree.delete(id)) return;
    if (this.clients.size) this.broadcast({ type: 'actor.stopped', id, status });
  }

  private stamp(m: Unsequenced): ActorStreamMessage {
    return { ...m, seq: ++this.seq, time: (this.opts.now ?? Date.now)() } as ActorStreamMessage;
  }

  private broadcast(m: Unsequenced): void {
    const msg = this.stamp(m);
    for (const c of this.clients) this.sendTo(c, msg);
  }

  private sendTo(c: Client, msg: ActorStreamMessage): void {
    if (c.ws.bufferedAmount > (this.opts.maxBuffered ?? 256 * 1024)) {
      c.dropped++;
      return;
    }
    if (c.dropped) {
      c.ws.send(JSON.stringify(this.stamp({ type: 'dropped', count: c.dropped, reason: 'slow-client' })));
      c.dropped = 0;
    }
    c.ws.send(JSON.stringify(msg));
  }
}
