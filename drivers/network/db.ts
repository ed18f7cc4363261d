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
  return db.batch(ops(sub, writes), { sync: true });
}

function ops<V>(sub: Sub<V>, writes: Array<Write<V>>): BatchOp[] {
  return writes.map((w) => ({ ...w, sublevel: sub }) as unknown as BatchOp);
}

/**
 * Applies `writes` without waiting for the disk (no fdatasync). Only for writes that start-up repairs
 * when a machine crash loses them: a container's address and endpoint (the crash takes the
 * container's network with it), releases of addresses and deletions of endpoints (reconcile.ts drops
 * endpoints of dead containers and releases addresses nobody owns). The log keeps writes in order,
 * so a crash loses only the latest ones: an endpoint never outlives its address. A daemon killed with
 * -9 loses none of them: they are in the kernel's page cache once the batch resolves.
 */
export function writeLazy<V>(db: Db, sub: Sub<V>, writes: Array<Write<V>>): Promise<void> {
  return db.batch(ops(sub, writes), { sync: false });
}
