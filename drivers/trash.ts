/**
 * Directory trees that are to go, made to go in two steps: one rename into <dataRoot>/trash at once
 * (whatever was there stops existing under its name, in the time of a rename), then a recursive
 * delete in the background. What a crash leaves in the trash is deleted at the next start (sweep).
 * A container's removal waited 4-7 ms for the recursive deletes of its directory and layer.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';

/** Deletions under way, per trash directory: every Trash.at() of a data root shares them. */
const pending = new Map<string, Set<Promise<void>>>();

/** The trash of one data root. */
export class Trash {
  private constructor(readonly dir: string) {}

  /** The trash of `dataRoot` (<dataRoot>/trash). */
  static at(dataRoot: string): Trash {
    return new Trash(path.join(dataRoot, 'trash'));
  }

  /**
   * Moves `target` (a directory tree on the data root's filesystem) out of the way and deletes it
   * later; a missing target is fine. Off that filesystem, it is deleted here and now.
   */
  async discard(target: string): Promise<void> {
    const to = path.join(this.dir, `${path.basename(target)}-${randomBytes(4).toString('hex')}`);
    try {
      await this.moveIn(target, to);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EXDEV') throw err;
      await fsp.rm(target, { recursive: true, force: true });
      return;
    }
    this.later(to);
  }

  /** One rename; the trash itself is made (sweep makes it at start) only when the rename misses it. */
  private async moveIn(target: string, to: string): Promise<void> {
    try {
      await fsp.rename(target, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
      await fsp.rename(target, to); // ENOENT now: the target is missing
    }
  }

  /** Makes the trash and deletes what is in it (a crash's leftovers, at start), in the background. */
  async sweep(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await fsp.readdir(this.dir)) this.later(path.join(this.dir, name));
  }

  /** Waits for the deletions under way (the daemon's shutdown; tests). */
  async drain(): Promise<void> {
    await Promise.all([...(pending.get(this.dir) ?? [])]);
  }

  private later(p: string): void {
    const jobs = pending.get(this.dir) ?? new Set<Promise<void>>();
    pending.set(this.dir, jobs);
    // A failure leaves the tree in the trash, for the next sweep.
    const job: Promise<void> = fsp.rm(p, { recursive: true, force: true }).catch(() => undefined).finally(() => jobs.delete(job));
    jobs.add(job);
  }
}
