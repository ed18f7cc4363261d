/**
 * Attaches waiting for a container to start. `docker run` attaches before it starts the container, and
 * a short-lived process (`echo hi`) may be done before an attach made after start could connect; so
 * the start job connects every waiting attach once the runtime has created the container and before
 * its process runs, and nothing it writes is missed.
 */
export class Attachments {
  private readonly waiting = new Map<string, Set<() => Promise<void>>>();

  /** Registers a connect function for when `id` starts; returns the function that unregisters it. */
  register(id: string, connect: () => Promise<void>): () => void {
    const set = this.waiting.get(id) ?? new Set();
    set.add(connect);
    this.waiting.set(id, set);
    return () => {
      set.delete(connect);
      if (!set.size) this.waiting.delete(id);
    };
  }

  /** Connects every attach waiting for `id` (each once); a failing one does not hold up the start. */
  async connectAll(id: string): Promise<void> {
    const set = this.waiting.get(id);
    this.waiting.delete(id);
    if (!set) return;
    await Promise.all([...set].map((c) => c().catch(() => undefined)));
  }
}
