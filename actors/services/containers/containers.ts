import { serialService } from '../../kernel/service.js';
import { ExecStore } from './execs.js';
import { transition, type LifecycleEvent } from './lifecycle.js';
import type { ContainerRecord } from './record.js';
import { normalizeName } from './names.js';
import type { ContainerStore } from './store.js';

declare module '../../kernel/service.js' {
  interface Services {
    containers: Containers;
  }
}

/**
 * Moves written without an fdatasync (each costs 1-2 ms on the start and removal paths): a machine
 * crash loses such a write only when it also ended the container, and start-up reconciles records
 * with what runs (restore.ts, leftovers.ts); the end of a run (exited) and the removal itself stay
 * durable, and each durable write also flushes the lazy ones before it.
 */
const TRANSIENT = new Set<LifecycleEvent['type']>(['started', 'remove']);

/**
 * The containers service's object: every container's record and lifecycle. Calls are serialised by
 * the service actor, so two jobs can never race a container through an illegal move: each asks for
 * its move here first (start, stop, remove, …) and reports the facts (started, exited, …) after.
 */
export class Containers {
  private readonly execStore = new ExecStore();

  constructor(private readonly store: ContainerStore) {}

  /** The exec instances (in memory, as dockerd keeps them; they go with their container). */
  execs(): ExecStore {
    return this.execStore;
  }

  /** Records a new container (Conflict when its name is taken). */
  async add(r: ContainerRecord): Promise<ContainerRecord> {
    await this.store.add(r);
    return r;
  }

  /** A container by full ID, name or unique ID prefix. */
  find(ref: string): Promise<ContainerRecord> {
    return this.store.find(ref);
  }

  /** Every container. */
  all(): Promise<ContainerRecord[]> {
    return this.store.all();
  }

  /**
   * Applies a lifecycle event and persists the new state; throws dockerd's error for an illegal move
   * (nothing changes then). `patch` updates other fields in the same write.
   */
  async move(ref: string, event: LifecycleEvent, patch: Partial<ContainerRecord> = {}): Promise<ContainerRecord> {
    const r = await this.store.find(ref);
    const State = transition(r.State, event, ref);
    // A move that only checks (start of a created container keeps its state until `started`)
    // writes nothing: every write is an fdatasync on the start path.
    if (State === r.State && Object.keys(patch).length === 0) return r;
    const next = { ...r, ...patch, State };
    await this.store.put(next, { durable: !TRANSIENT.has(event.type) });
    return next;
  }

  /** Updates fields other than the state. */
  async patch(ref: string, patch: Partial<Omit<ContainerRecord, 'State' | 'Id' | 'Name'>>): Promise<ContainerRecord> {
    const next = { ...(await this.store.find(ref)), ...patch };
    await this.store.put(next);
    return next;
  }

  /** Records why a start failed (State.Error and the exit code dockerd gives), the status unchanged. */
  async recordStartError(ref: string, message: string, exitCode: number): Promise<void> {
    const r = await this.store.find(ref);
    await this.store.put({ ...r, State: { ...r.State, Error: message, ExitCode: exitCode } });
  }

  /** Renames a container. */
  async rename(ref: string, name: string): Promise<ContainerRecord> {
    return this.store.rename(await this.store.find(ref), normalizeName(name));
  }

  /** Forgets a container (its files and layer are the caller's to remove first). */
  async delete(ref: string): Promise<void> {
    const r = await this.store.find(ref);
    await this.store.delete(r);
    this.execStore.dropContainer(r.Id);
  }

  /** The containers made from an image, by state (for image removal's checks). */
  async usingImage(imageId: string): Promise<{ running: string[]; stopped: string[] }> {
    const mine = (await this.store.all()).filter((c) => c.Image === imageId);
    return { running: mine.filter((c) => c.State.Running).map((c) => c.Id), stopped: mine.filter((c) => !c.State.Running).map((c) => c.Id) };
  }
}

/** The containers service (systemId `containers`). */
export const containersService = serialService<Containers>();
