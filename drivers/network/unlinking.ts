/**
 * Endpoint veths still being deleted. A veth delete waits out an RCU grace period in the kernel
 * (~20 ms on a busy host); when a container has exited nothing needs to wait for it but the
 * container's removal and the daemon's shutdown, so the exit path lets it finish on its own and
 * whoever does need it gone awaits `settled`. Crash-safe: a veth whose deletion a crash cut short
 * sits on our bridge with no endpoint record, and start-up deletes such veths (reconcile.ts).
 */
export class Unlinking {
  private readonly pending = new Map<string, Set<Promise<void>>>();

  /** Follows one deletion for `owner` (a container id). It must not reject. */
  track(owner: string, done: Promise<void>): void {
    const set = this.pending.get(owner) ?? new Set();
    this.pending.set(owner, set);
    set.add(done);
    void done.finally(() => {
      set.delete(done);
      if (set.size === 0 && this.pending.get(owner) === set) this.pending.delete(owner);
    });
  }

  /** Resolves once every deletion for `owner` is over. */
  async settled(owner: string): Promise<void> {
    await Promise.all([...(this.pending.get(owner) ?? [])]);
  }

  /** Resolves once every deletion is over. */
  async all(): Promise<void> {
    await Promise.all([...this.pending.values()].flatMap((s) => [...s]));
  }
}
