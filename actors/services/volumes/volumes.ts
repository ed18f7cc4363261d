import { randomBytes } from 'node:crypto';
import { conflict, notFound } from '../../../protocol/errdefs.js';
import { filterAllows, labelsAllow, type Filters } from '../../../protocol/filters.js';
import { ANONYMOUS_VOLUME_LABEL, type Volume, type VolumeCreateOptions, type VolumeListResponse, type VolumePruneResponse } from '../../../protocol/types/volumes.js';
import { serialService } from '../../kernel/service.js';
import { checkDriver, checkVolumeName, LOCAL_DRIVER, makeVolumeDirs, removeVolumeDirs, treeSize, volumeDirs } from './local.js';
import type { VolumeRecord, VolumeStore } from './store.js';

declare module '../../kernel/service.js' {
  interface Services {
    volumes: Volumes;
  }
}

/** The filter keys GET /volumes accepts. */
export const VOLUME_LIST_FILTERS = ['dangling', 'driver', 'label', 'name'] as const;
/** The filter keys POST /volumes/prune accepts. */
export const VOLUME_PRUNE_FILTERS = ['label', 'label!', 'all'] as const;

const truthy = (v: string | undefined) => v === 'true' || v === '1';

/** Seconds-precision RFC 3339, as dockerd's CreatedAt. */
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The volumes service's object (systemId `volumes`): the local driver's volumes and which containers
 * use them. Calls are serialised by the service actor, so a removal never races a container taking
 * the same volume.
 */
export class Volumes {
  constructor(
    private readonly store: VolumeStore,
    /** `<data-root>/volumes`. */
    private readonly root: string,
    private readonly now: () => number,
  ) {}

  /** POST /volumes/create: a new volume, or the existing one of that name (as dockerd). */
  async create(opts: VolumeCreateOptions): Promise<Volume> {
    return this.wire(await this.make(opts));
  }

  /** GET /volumes/{name}. */
  async inspect(name: string): Promise<Volume> {
    return this.wire(await this.find(name));
  }

  /** GET /volumes, sorted by name. */
  async list(filters: Filters): Promise<VolumeListResponse> {
    const all = (await this.store.all()).filter((v) => this.listed(v, filters));
    return { Volumes: all.sort((a, b) => (a.Name < b.Name ? -1 : 1)).map((v) => this.wire(v)), Warnings: null };
  }

  /** DELETE /volumes/{name}: refused while a container uses it; `force` ignores a missing one. */
  async remove(name: string, force = false): Promise<void> {
    const v = await this.store.get(name);
    if (!v) {
      if (force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    if (v.users.length) throw conflict(`remove ${name}: volume is in use - [${v.users.join(', ')}]`);
    await this.store.delete(name);
    await removeVolumeDirs(this.root, name);
  }

  /** POST /volumes/prune: unused anonymous volumes, or every unused one with `all=true`. */
  async prune(filters: Filters): Promise<VolumePruneResponse> {
    const all = truthy(filters.get('all')?.[0]);
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const v of await this.store.all()) {
      if (v.users.length || (!all && !(ANONYMOUS_VOLUME_LABEL in v.Labels))) continue;
      if (!labelsAllow(filters, v.Labels) || !withoutLabels(filters, v.Labels)) continue;
      reclaimed += await treeSize(volumeDirs(this.root, v.Name).data);
      await this.remove(v.Name);
      deleted.push(v.Name);
    }
    return { VolumesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /**
   * A container takes a volume: the named one (made when missing) or a new anonymous one (`name`
   * null). Returns the volume and whether it was made now.
   */
  async acquire(name: string | null, containerId: string, labels: Record<string, string> = {}): Promise<{ volume: Volume; created: boolean }> {
    const existing = name === null ? undefined : await this.store.get(name);
    const v = existing ?? (await this.make({ Name: name ?? undefined, Labels: name === null ? { ...labels, [ANONYMOUS_VOLUME_LABEL]: '' } : labels }));
    if (!v.users.includes(containerId)) await this.store.put({ ...v, users: [...v.users, containerId] });
    return { volume: this.wire(v), created: !existing };
  }

  /**
   * A container lets go of its volumes (it is being removed); with `removeAnonymous` (`rm -v`) the
   * anonymous ones nobody else uses go too. Returns the names removed.
   */
  async release(containerId: string, removeAnonymous: boolean): Promise<string[]> {
    const removed: string[] = [];
    for (const v of await this.store.all()) {
      if (!v.users.includes(containerId)) continue;
      const users = v.users.filter((u) => u !== containerId);
      await this.store.put({ ...v, users });
      if (removeAnonymous && !users.length && ANONYMOUS_VOLUME_LABEL in v.Labels) {
        await this.remove(v.Name);
        removed.push(v.Name);
      }
    }
    return removed;
  }

  private async find(name: string): Promise<VolumeRecord> {
    const v = await this.store.get(name);
    if (!v) throw notFound(`get ${name}: no such volume`);
    return v;
  }

  private async make(opts: VolumeCreateOptions): Promise<VolumeRecord> {
    const name = opts.Name || randomBytes(32).toString('hex');
    checkVolumeName(name);
    const driver = opts.Driver || LOCAL_DRIVER;
    checkDriver(driver, opts.DriverOpts ?? {});
    const existing = await this.store.get(name);
    if (existing) {
      if (existing.Driver !== driver) throw conflict(`create ${name}: volume name must be unique`);
      return existing;
    }
    // Directories first: a crash between the two leaves an unlisted directory, never a record without data.
    await makeVolumeDirs(this.root, name);
    const v: VolumeRecord = { Name: name, Driver: driver, Labels: opts.Labels ?? {}, Options: opts.DriverOpts ?? {}, CreatedAt: rfc3339(this.now()), users: [] };
    await this.store.put(v);
    return v;
  }

  private listed(v: VolumeRecord, f: Filters): boolean {
    if (f.has('name') && !f.get('name')!.some((n) => v.Name.includes(n))) return false;
    if (!filterAllows(f, 'driver', v.Driver)) return false;
    const dangling = f.get('dangling')?.[0];
    if (dangling !== undefined && truthy(dangling) !== (v.users.length === 0)) return false;
    return labelsAllow(f, v.Labels);
  }

  private wire(v: VolumeRecord): Volume {
    const options = Object.keys(v.Options).length ? v.Options : null;
    return { CreatedAt: v.CreatedAt, Driver: v.Driver, Labels: v.Labels, Mountpoint: volumeDirs(this.root, v.Name).data, Name: v.Name, Options: options, Scope: 'local' };
  }
}

/** `label!=key` / `label!=key=value`: volumes carrying such a label are kept. */
function withoutLabels(f: Filters, labels: Record<string, string>): boolean {
  return (f.get('label!') ?? []).every((w) => !labelsAllow(new Map([['label', [w]]]), labels));
}

/** The volumes service (systemId `volumes`). */
export const volumesService = serialService<Volumes>();
