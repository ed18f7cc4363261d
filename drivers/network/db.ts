/**
 * Synchronous writes to sublevels of the engine's database. `sync` is an option of the root
 * (classic-level) database, not of its sublevels, so writes go through the root as batches.
 */
import type { AbstractSublevel } from 'abstract-level';
import type { BatchOperation, Level } from 'level';

/** The engine's database. */
export type Db = Level<string, unknown>;
/** A sublevel of it. */
export type Sub<V> = AbstractSublevel<Db, string | Buffer | Uint8Array, string, V>;
type BatchOp = BatchOperation<Db, string, unknown>;

/** One put or delete in a sublevel. */
export type Write<V> = { type: 'put'; key: string; value: V } | { type: 'del'; key: string };

/** Applies `writes` to `sub` in one synchronous batch. */
export function writeSync<V>(db: Db, sub: Sub<V>, writes: Array<Write<V>>): Promise<void> {
  const ops = writes.map((w) => ({ ...w, sublevel: sub }) as unknown as BatchOp);
  return db.batch(ops, { sync: true });
}
