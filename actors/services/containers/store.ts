import type { AbstractSublevel } from 'abstract-level';
import type { Level } from 'level';
import { conflict, invalidParameter, notFound } from '../../../protocol/errdefs.js';
import type { ContainerRecord } from './record.js';

type Db = Level<string, unknown>;
type Sub<V> = AbstractSublevel<Db, string | Buffer | Uint8Array, string, V>;

/**
 * Containers and their names in level. A record and its name change in one synchronous batch, so a
 * crash never leaves a name without a container or the reverse.
 */
export class ContainerStore {
  private readonly records: Sub<ContainerRecord>;
  private readonly names: Sub<string>;

  constructor(private readonly db: Db) {
    this.records = db.sublevel<string, ContainerRecord>('containers', { valueEncoding: 'json' });
    this.names = db.sublevel<string, string>('container-names', { valueEncoding: 'json' });
  }

  /** Adds a new container; Conflict when its name is taken (dockerd's message). */
  async add(r: ContainerRecord): Promise<void> {
    const holder = await this.names.get(r.Name);
    if (holder) {
      throw conflict(`Conflict. The container name "${r.Name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    await this.db.batch([
      { type: 'put', sublevel: this.records, key: r.Id, value: r },
      { type: 'put', sublevel: this.names, key: r.Name, value: r.Id },
    ] as never, { sync: true });
  }

  /**
   * Replaces a record (its name unchanged). `durable: false` skips the fdatasync: the write survives
   * a daemon crash (it is in the kernel's hands) and goes to disk with the next durable write.
   */
  async put(r: ContainerRecord, { durable = true }: { durable?: boolean } = {}): Promise<void> {
    await this.db.batch([{ type: 'put', sublevel: this.records, key: r.Id, value: r }] as never, { sync: durable });
  }

  /** Renames; Conflict when the new name is taken. */
  async rename(r: ContainerRecord, name: string): Promise<ContainerRecord> {
    const holder = await this.names.get(name);
    if (holder) throw conflict(`Error when allocating new name: Conflict. The container name "${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`);
    const next = { ...r, Name: name };
    await this.db.batch([
      { type: 'del', sublevel: this.names, key: r.Name },
      { type: 'put', sublevel: this.names, key: name, value: r.Id },
      { type: 'put', sublevel: this.records, key: r.Id, value: next },
    ] as never, { sync: true });
    return next;
  }

  /** Deletes a container and its name. */
  async delete(r: ContainerRecord): Promise<void> {
    await this.db.batch([
      { type: 'del', sublevel: this.records, key: r.Id },
      { type: 'del', sublevel: this.names, key: r.Name },
    ] as never, { sync: true });
  }

  /** Every container. */
  async all(): Promise<ContainerRecord[]> {
    const out: ContainerRecord[] = [];
    for await (const v of this.records.values()) out.push(v as ContainerRecord);
    return out;
  }

  /** Finds a container as dockerd does: full ID, name (with or without `/`), or unique ID prefix. */
  async find(ref: string): Promise<ContainerRecord> {
    if (!ref) throw invalidParameter('container name or ID is empty');
    const exact = await this.records.get(ref);
    if (exact) return exact;
    const byName = await this.names.get(ref.startsWith('/') ? ref : `/${ref}`);
    if (byName) return (await this.records.get(byName))!;
    if (/^[0-9a-f]+$/.test(ref)) {
      const ids: string[] = [];
      for await (const k of this.records.keys({ gte: ref, lt: `${ref}\xff` })) ids.push(k);
      if (ids.length > 1) throw invalidParameter(`multiple IDs found with provided prefix: ${ref}`);
      if (ids.length === 1) return (await this.records.get(ids[0]!))!;
    }
    throw notFound(`No such container: ${ref}`);
  }
}
