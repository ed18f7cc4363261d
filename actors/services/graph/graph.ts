import { conflict } from '../../../protocol/errdefs.js';
import { labelsAllow, type Filters } from '../../../protocol/filters.js';
import type { ImageConfigFile } from '../../../protocol/types/image.js';
import type { HistoryResponseItem, ImageDeleteResponseItem, ImageInspect, ImagePruneResponse, ImageSummary } from '../../../protocol/types/images-api.js';
import type { GraphBackend } from '../../../drivers/graph/backend.js';
import type { BlobStore } from './blobs.js';
import type { GraphDB, ImageRecord, LayerRecord } from './graphdb.js';
import { familiarRef, normalizeRef, resolveImage } from './lookup.js';

/** The filter keys GET /images/json accepts. */
export const IMAGE_LIST_FILTERS = ['before', 'dangling', 'label', 'reference', 'since', 'until'] as const;

/** Which containers use an image, by state (filled by the containers service; issue 5). */
export type ContainersUsing = (imageId: string) => Promise<{ running: string[]; stopped: string[] }>;

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
const unix = (iso: string) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

/**
 * The graph: images and their layers as clients see them (Docker's image service), over the GraphDB,
 * the blob store holding configs, and the graph driver holding layer trees.
 */
export class Graph {
  constructor(
    readonly db: GraphDB,
    readonly blobs: BlobStore,
    readonly driver: GraphBackend,
    private readonly containersUsing: ContainersUsing = async () => ({ running: [], stopped: [] }),
  ) {}

  /** What `info` shows of the graph: the driver, its status lines and how many images there are. */
  async info(): Promise<{ driver: string; status: [string, string][]; images: number }> {
    return { driver: this.driver.name, status: this.driver.status(), images: (await this.db.allImages()).length };
  }

  /** Stores an image config blob (verified against its digest, which is the image ID). */
  async storeConfig(id: string, bytes: Buffer): Promise<void> {
    await this.blobs.put(id, bytes);
  }

  /** The image a normalized reference points to, or undefined. */
  async resolveRef(ref: string): Promise<string | undefined> {
    return this.db.resolve(ref);
  }

  /** Whether an image is stored. */
  async hasImage(id: string): Promise<boolean> {
    return (await this.db.image(id)) !== undefined;
  }

  /** The stored layer with this chain ID, or undefined. */
  async layer(chainId: string): Promise<LayerRecord | undefined> {
    return this.db.layer(chainId);
  }

  /**
   * Records an image whose config is stored and whose new layers are applied, pointing `refs` at it;
   * layer trees made twice by concurrent pulls are removed. Returns the refs that moved away from
   * another image (to tell the client "Downloaded newer image").
   */
  async commit(image: ImageRecord, newLayers: LayerRecord[], refs: string[]): Promise<void> {
    const redundant = await this.db.registerImage(image, newLayers, refs);
    for (const cacheId of redundant) await this.driver.remove(cacheId);
  }

  /** An image's config blob. */
  async config(id: string): Promise<ImageConfigFile> {
    return JSON.parse((await this.blobs.read(id)).toString('utf8')) as ImageConfigFile;
  }

  /** GET /images/json. */
  async list(opts: { all: boolean; filters: Filters }): Promise<ImageSummary[]> {
    const images = await this.db.allImages();
    const out: ImageSummary[] = [];
    for (const image of images) {
      const refs = await this.db.refsOf(image.id);
      if (!opts.all && !refs.length && (await this.db.childrenOf(image.id)).length) continue; // intermediate image
      const config = await this.config(image.id);
      if (!(await this.passes(image, refs, config, opts.filters))) continue;
      out.push(this.summary(image, refs, config));
    }
    return out.sort((a, b) => b.Created - a.Created);
  }

  /** GET /images/{name}/json. */
  async inspect(name: string): Promise<ImageInspect> {
    const { image } = await resolveImage(this.db, name);
    const config = await this.config(image.id);
    const refs = await this.db.refsOf(image.id);
    return {
      Id: image.id,
      RepoTags: tags(refs),
      RepoDigests: image.repoDigests,
      Parent: image.parent,
      Comment: config.comment ?? '',
      Created: config.created ?? '',
      DockerVersion: config.docker_version ?? '',
      Author: config.author ?? '',
      Config: config.config ?? {},
      Architecture: config.architecture,
      ...(config.variant && { Variant: config.variant }),
      Os: config.os,
      Size: image.size,
      GraphDriver: { Name: this.driver.name, Data: null },
      RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
      Metadata: {},
    };
  }

  /** GET /images/{name}/history: one entry per history step, newest first, layer sizes on the steps that made one. */
  async history(name: string): Promise<HistoryResponseItem[]> {
    const { image } = await resolveImage(this.db, name);
    const config = await this.config(image.id);
    const refs = tags(await this.db.refsOf(image.id));
    let layer = 0;
    // Each non-empty history step made the next layer of the chain; its size is that layer's.
    const steps = (config.history ?? []).map((h) => ({
      Id: '<missing>', Created: unix(h.created ?? ''), CreatedBy: h.created_by ?? '', Tags: null as string[] | null, Size: 0, Comment: h.comment ?? '',
      layer: h.empty_layer ? -1 : layer++,
    }));
    for (const s of steps) if (s.layer >= 0) s.Size = (await this.db.layer(image.chain[s.layer] ?? ''))?.size ?? 0;
    const out: HistoryResponseItem[] = steps.reverse().map(({ layer: _l, ...s }) => s);
    if (out[0]) Object.assign(out[0], { Id: image.id, Tags: refs.length ? refs : null });
    return out;
  }

  /** POST /images/{name}/tag. */
  async tag(name: string, repo: string, tag?: string): Promise<void> {
    const { image } = await resolveImage(this.db, name);
    await this.db.tag(normalizeRef(tag ? `${repo}:${tag}` : repo), image.id);
  }

  /** DELETE /images/{name}, with dockerd's rules for what needs `force`. */
  async remove(name: string, opts: { force: boolean }): Promise<ImageDeleteResponseItem[]> {
    const { image, ref } = await resolveImage(this.db, name);
    const refs = await this.db.refsOf(image.id);
    if (ref && refs.length > 1) {
      await this.db.untag(ref);
      return [{ Untagged: familiarRef(ref) }];
    }
    if (!ref && refs.length > 1 && !opts.force) {
      throw conflict(`conflict: unable to delete ${short(image.id)} (must be forced) - image is referenced in multiple repositories`);
    }
    await this.checkUnused(image, opts.force);
    const out: ImageDeleteResponseItem[] = [];
    for (const r of refs) {
      await this.db.untag(r);
      out.push({ Untagged: familiarRef(r) });
    }
    return [...out, ...(await this.deleteUntagged(image))];
  }

  /** POST /images/prune: dangling images, or every unused one with `dangling=false`. */
  async prune(filters: Filters): Promise<ImagePruneResponse> {
    const danglingOnly = !filters.get('dangling')?.some((v) => ['false', '0'].includes(v));
    const deleted: ImageDeleteResponseItem[] = [];
    let reclaimed = 0;
    for (const image of await this.db.allImages()) {
      const refs = await this.db.refsOf(image.id);
      if (danglingOnly && refs.length) continue;
      const used = await this.containersUsing(image.id);
      if (used.running.length || used.stopped.length || (await this.db.childrenOf(image.id)).length) continue;
      if (!labelsAllow(filters, (await this.config(image.id)).config?.Labels ?? {})) continue;
      for (const r of refs) {
        await this.db.untag(r);
        deleted.push({ Untagged: familiarRef(r) });
      }
      reclaimed += image.size;
      deleted.push(...(await this.deleteUntagged(image)));
    }
    return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  private async checkUnused(image: ImageRecord, force: boolean): Promise<void> {
    const used = await this.containersUsing(image.id);
    if (used.running[0]) throw conflict(`conflict: unable to delete ${short(image.id)} (cannot be forced) - image is being used by running container ${short(used.running[0])}`);
    if (used.stopped[0] && !force) throw conflict(`conflict: unable to delete ${short(image.id)} (must be forced) - image is being used by stopped container ${short(used.stopped[0])}`);
    if ((await this.db.childrenOf(image.id)).length) throw conflict(`conflict: unable to delete ${short(image.id)} (cannot be forced) - image has dependent child images`);
  }

  /** Deletes an image with no references, then the layer trees no image holds any more. */
  private async deleteUntagged(image: ImageRecord): Promise<ImageDeleteResponseItem[]> {
    const freed = await this.db.deleteImage(image.id);
    for (const l of freed) await this.driver.remove(l.cacheId);
    await this.blobs.remove(image.id);
    return [{ Deleted: image.id }];
  }

  private summary(image: ImageRecord, refs: string[], config: ImageConfigFile): ImageSummary {
    return {
      Id: image.id, ParentId: image.parent, RepoTags: tags(refs), RepoDigests: image.repoDigests, Created: unix(config.created ?? ''),
      Size: image.size, SharedSize: -1, Labels: config.config?.Labels ?? {}, Containers: -1,
    };
  }

  private async passes(image: ImageRecord, refs: string[], config: ImageConfigFile, f: Filters): Promise<boolean> {
    const dangling = f.get('dangling');
    if (dangling?.length && dangling.some((v) => ['true', '1'].includes(v)) !== (refs.length === 0)) return false;
    if (!labelsAllow(f, config.config?.Labels ?? {})) return false;
    if (f.has('reference') && !refs.some((r) => matchesReference(f.get('reference')!, familiarRef(r)))) return false;
    const created = Date.parse(config.created ?? '') || 0;
    for (const [key, newer] of [['since', true], ['before', false]] as const) {
      for (const name of f.get(key) ?? []) {
        const other = Date.parse((await this.config((await resolveImage(this.db, name)).image.id)).created ?? '') || 0;
        if (newer ? created <= other : created >= other) return false;
      }
    }
    return (f.get('until') ?? []).every((u) => created < untilMs(u));
  }
}

/** The familiar tags among normalized references (digest references are RepoDigests, not tags). */
function tags(refs: string[]): string[] {
  return refs.filter((r) => !r.includes('@')).map(familiarRef);
}

/** `reference` filter values are shell-like patterns over `name[:tag]` (`busy*`, `*:latest`). */
function matchesReference(patterns: string[], ref: string): boolean {
  return patterns.some((p) => {
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.')}$`);
    return re.test(ref) || re.test(ref.replace(/:[^:/]+$/, ''));
  });
}

/** An `until` value: unix seconds, or an RFC 3339 date. */
function untilMs(v: string): number {
  return /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
}
