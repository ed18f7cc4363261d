import { conflict, notFound } from '../../../protocol/errdefs.js';
import { labelsAllow, type Filters } from '../../../protocol/filters.js';
import type { ImageConfig, ImageConfigFile } from '../../../protocol/types/image.js';
import type { HistoryResponseItem, ImageDeleteResponseItem, ImageInspect, ImagePruneResponse, ImageSummary } from '../../../protocol/types/images-api.js';
import type { GraphBackend } from '../../../drivers/graph/backend.js';
import type { BlobStore } from './blobs.js';
import type { BlobSource, GraphDB, ImageRecord, LayerRecord } from './graphdb.js';
import { historyOf, passesFilters, summary, tags } from './views.js';
import { familiarRef, normalizeRef, resolveImage } from './lookup.js';
import type { TarSplitStore } from './tar-split-store.js';

/** The filter keys GET /images/json accepts. */
export const IMAGE_LIST_FILTERS = ['before', 'dangling', 'label', 'reference', 'since', 'until'] as const;

/** An image as save and push read it. */
export interface ExportableImage {
  image: ImageRecord;
  /** Its layers, bottom first. */
  layers: LayerRecord[];
  /** The config blob's exact bytes (their digest is the image ID). */
  config: Buffer;
  /** Its normalized references. */
  refs: string[];
}

/** Which containers use an image, by state (filled by the containers service; issue 5). */
export type ContainersUsing = (imageId: string) => Promise<{ running: string[]; stopped: string[] }>;

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** What Graph.forContainer tells of an image. */
export interface ImageForContainer {
  id: string;
  config: ImageConfig;
  topLayer: string | null;
  driver: string;
}

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
    /** The layers' tar-split records (save, push), removed with their trees. */
    readonly splits?: TarSplitStore,
  ) {}

  /** What `info` shows of the graph: the driver, its status lines and how many images there are. */
  async info(): Promise<{ driver: string; status: [string, string][]; images: number }> {
    return { driver: this.driver.name, status: this.driver.status(), images: (await this.db.allImages()).length };
  }

  /** The driver's name, without info()'s count of the images. */
  async driverName(): Promise<string> {
    return this.driver.name;
  }

  /**
   * What a new container needs of its image, in one lookup: its ID and config, the driver's tree of
   * its top layer (the container's writable layer sits on it; null for an image without layers) and
   * the driver's name.
   */
  async forContainer(name: string): Promise<ImageForContainer> {
    const { image } = await resolveImage(this.db, name);
    const top = image.chain.at(-1);
    const [config, layer] = await Promise.all([this.config(image.id), top === undefined ? undefined : this.db.layer(top)]);
    if (top !== undefined && !layer) throw notFound(`image ${image.id}: its top layer ${top} is not in the store`);
    return { id: image.id, config: config.config ?? {}, topLayer: layer?.cacheId ?? null, driver: this.driver.name };
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
    await this.discardLayers(redundant);
  }

  /** An image, its layers bottom first, its config bytes and references: what save and push send. */
  async exportable(name: string): Promise<ExportableImage> {
    const { image } = await resolveImage(this.db, name);
    const layers: LayerRecord[] = [];
    for (const c of image.chain) {
      const l = await this.db.layer(c);
      if (!l) throw notFound(`image ${image.id}: layer ${c} is not in the store`);
      layers.push(l);
    }
    return { image, layers, config: await this.blobs.read(image.id), refs: await this.db.refsOf(image.id) };
  }

  /** The tags of a repository (`docker.io/library/busybox`): normalized references and their images. */
  async repositoryTags(repository: string): Promise<{ ref: string; id: string }[]> {
    const out: { ref: string; id: string }[] = [];
    // ':' sorts just before ';', so this range is exactly `<repository>:<tag>`.
    for await (const [ref, id] of this.db.refs.iterator({ gt: `${repository}:`, lt: `${repository};` })) out.push({ ref, id: id as string });
    return out;
  }

  /** Records where layer blobs were seen in registries (pull, push). */
  async recordBlobSources(sources: BlobSource[]): Promise<void> {
    await this.db.addBlobSources(sources);
  }

  /** Where a layer's blobs were seen in registries. */
  async blobSources(diffId: string): Promise<BlobSource[]> {
    return this.db.blobSourcesOf(diffId);
  }

  /** Journals layer trees about to be made, so that a crash before they are recorded leaves no orphan. */
  async beginLayers(cacheIds: string[]): Promise<void> {
    await this.db.journalAdd(cacheIds);
  }

  /** Removes layer trees no layer record holds (made by a failed job, redundant, or freed), with their records. */
  async discardLayers(cacheIds: string[]): Promise<void> {
    let failure: unknown;
    const gone: string[] = [];
    for (const id of cacheIds) {
      try {
        if (await this.driver.exists(id)) await this.driver.remove(id);
        await this.splits?.remove(id);
        gone.push(id);
      } catch (err) {
        failure ??= err; // stays journaled: the next start-up sweep tries again
      }
    }
    await this.db.journalDrop(gone);
    if (failure) throw failure;
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
      if (!(await passesFilters(this.db, (id) => this.config(id), refs, config, opts.filters))) continue;
      out.push(summary(image, refs, config));
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
    return historyOf(this.db, image, await this.config(image.id));
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
    await this.discardLayers(freed.map((l) => l.cacheId));
    await this.blobs.remove(image.id);
    return [{ Deleted: image.id }];
  }
}
