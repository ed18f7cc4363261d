import type { AbstractSublevel } from 'abstract-level';
import type { Level } from 'level';

type Db = Level<string, unknown>;
type Sub<V> = AbstractSublevel<Db, string | Buffer | Uint8Array, string, V>;

/** What berth keeps of a volume: the wire fields it does not derive, and who uses it. */
export interface VolumeRecord {
  Name: string;
  Driver: string;
  Labels: Record<string, string>;
  Options: Record<string, string>;
  CreatedAt: string;
  /** IDs of the containers that mount it (a volume in use cannot be removed). */
  users: string[];
}

/** Volumes in level, one record per name; every write is synchronous (a crash keeps the last one). */
export class VolumeStore {
  private readonly records: Sub<VolumeRecord>;

  constructor(private readonly db: Db) {
    this.records = db.sublevel<string, VolumeRecord>('volumes', { valueEncoding: 'json' });
  }

  /** A volume by name, or undefined. */
  get(name: string): Promise<VolumeRecord | undefined> {
    return this.records.get(name);
  }

  /** Writes a record. */
  async put(v: VolumeRecord): Promise<void> {
    await this.db.batch([{ type: 'put', sublevel: this.records, key: v.Name, value: v }] as never, { sync: true });
  }

  /** Deletes a record. */
  async delete(name: string): Promise<void> {
    await this.db.batch([{ type: 'del', sublevel: this.records, key: name }] as never, { sync: true });
  }

  /** Every volume, by name. */
  async all(): Promise<VolumeRecord[]> {
    const out: VolumeRecord[] = [];
    for await (const v of this.records.values()) out.push(v as VolumeRecord);
    return out;
  }
}
