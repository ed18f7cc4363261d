import type { AbstractSublevel } from 'abstract-level';
import type { BatchOperation, Level } from 'level';
import { conflict, notFound } from '../../../protocol/errdefs.js';

/** A layer in the store, keyed by its chain ID; shared by every image whose chain contains it. */
export interface LayerRecord {
  chainId: string;
  diffId: string;
  /** The chain ID of the layer below, null for a base layer. */
  parent: string | null;
  /** The graph driver's directory id for this layer. */
  cacheId: string;
  /** Bytes of the uncompressed layer content. */
  size: number;
  /** How many images hold this layer in their chain. */
  refs: number;
}

/** An image in the store, keyed by its ID (the digest of its config blob). */
export interface ImageRecord {
  id: string;
  /** The image it was committed on top of ('' for pulled images, as in Docker). */
  parent: string;
  /** The chain IDs of its layers, bottom first. */
  chain: string[];
  /** Total bytes of its layers. */
  size: number;
  /** From its config. */
  created: string;
  /** `repo@sha256:…` of the manifests it was pulled or pushed as. */
  repoDigests: string[];
}

/** Where a layer's compressed blob was seen in a registry (Docker's V2Metadata): push skips or mounts it there. */
export interface BlobSource {
  diffId: string;
  /** The compressed blob's digest, size and media type. */
  digest: string;
  size: number;
  mediaType: string;
  /** Full repository name: `127.0.0.1:5000/team/app`, `docker.io/library/busybox`. */
  repository: string;
}

type Db = Level<string, unknown>;
type Sub<V> = AbstractSublevel<Db, string | Buffer | Uint8Array, string, V>;
type BatchOp = BatchOperation<Db, string, unknown>;

/**
 * The GraphDB: images, layers, references and parent / child relations in level. Every change is one
 * synchronous batch, so a crash leaves the store before or after a change, never half-way. Not safe
 * for concurrent writers: the graph service serialises calls.
 */
export class GraphDB {
  readonly layers: Sub<LayerRecord>;
  readonly images: Sub<ImageRecord>;
  /** Normalized reference (`docker.io/library/busybox:latest`, `…@sha256:…`) → image ID. */
  readonly refs: Sub<string>;
  /** `<imageId> <reference>` → '' : the references of an image, for listing without a scan. */
  readonly imageRefs: Sub<string>;
  /** `<parentId> <childId>` → '' : the GraphDB's parent / child relation. */
  readonly children: Sub<string>;
  /** `<diffId> <digest> <repository>` → BlobSource. */
  readonly blobSources: Sub<BlobSource>;
  /** cacheId → '': trees about to be made or given up, out once recorded or removed (the start-up sweep's list). */
  readonly journal: Sub<string>;

  constructor(private readonly db: Level<string, unknown>) {
    const sub = <V>(name: string): Sub<V> => db.sublevel<string, V>(name, { valueEncoding: 'json' });
    this.layers = sub<LayerRecord>('layers');
    this.images = sub<ImageRecord>('images');
    this.refs = sub<string>('refs');
    this.imageRefs = sub<string>('image-refs');
    this.children = sub<string>('children');
    this.blobSources = sub<BlobSource>('blob-sources');
    this.journal = sub<string>('layer-journal');
  }

  /** A layer by chain ID, or undefined. */
  layer(chainId: string): Promise<LayerRecord | undefined> {
    return this.layers.get(chainId);
  }

  /** An image by ID, or undefined. */
  image(id: string): Promise<ImageRecord | undefined> {
    return this.images.get(id);
  }

  /** The image a normalized reference points to, or undefined. */
  resolve(ref: string): Promise<string | undefined> {
    return this.refs.get(ref);
  }

  /** The references of an image, sorted. */
  async refsOf(id: string): Promise<string[]> {
    const out: string[] = [];
    for await (const key of this.imageRefs.keys({ gt: `${id} `, lt: `${id}!` })) out.push(key.slice(id.length + 1));
    return out.sort();
  }

  /** Every image. */
  async allImages(): Promise<ImageRecord[]> {
    const out: ImageRecord[] = [];
    for await (const v of this.images.values()) out.push(v as ImageRecord);
    return out;
  }

  /** Images whose ID (without `sha256:`) starts with `prefix`. */
  async imagesByPrefix(prefix: string): Promise<string[]> {
    const gte = `sha256:${prefix}`;
    const out: string[] = [];
    for await (const key of this.images.keys({ gte, lt: `${gte}\xff` })) out.push(key);
    return out;
  }

  /** The children of an image (images committed on top of it). */
  async childrenOf(id: string): Promise<string[]> {
    const out: string[] = [];
    for await (const key of this.children.keys({ gt: `${id} `, lt: `${id}!` })) out.push(key.slice(id.length + 1));
    return out;
  }

  /**
   * Records an image with its references in one batch: layers new to the store are added, every layer
   * of its chain gains a reference when the image itself is new, and each reference moves to it.
   * A "new" layer another pull stored meanwhile is not stored twice: the existing record wins and the
   * returned cache ids (the duplicate trees) are for the caller to remove.
   */
  async registerImage(image: ImageRecord, newLayers: LayerRecord[], refs: string[]): Promise<string[]> {
    const ops: BatchOp[] = [];
    const redundant: string[] = [];
    const existing = await this.image(image.id);
    const fresh = new Map(newLayers.map((l) => [l.chainId, l]));
    if (!existing) {
      for (const chainId of image.chain) {
        const stored = await this.layer(chainId);
        const l = stored ?? fresh.get(chainId);
        if (!l) throw notFound(`register image ${image.id}: layer ${chainId} is not in the store`);
        ops.push(this.put(this.layers, chainId, { ...l, refs: (stored?.refs ?? 0) + 1 }));
      }
      ops.push(this.put(this.images, image.id, image));
      if (image.parent) ops.push(this.put(this.children, `${image.parent} ${image.id}`, ''));
    } else {
      const digests = [...new Set([...existing.repoDigests, ...image.repoDigests])];
      ops.push(this.put(this.images, image.id, { ...existing, repoDigests: digests }));
    }
    for (const l of fresh.values()) {
      const stored = await this.layer(l.chainId);
      if ((stored && stored.cacheId !== l.cacheId) || existing) redundant.push(l.cacheId);
      else ops.push(this.del(this.journal, l.cacheId));
    }
    for (const ref of refs) ops.push(...(await this.refOps(ref, image.id)));
    await this.db.batch(ops, { sync: true });
    return redundant;
  }

  /** Points a reference at an image (moving it from wherever it pointed). */
  async tag(ref: string, id: string): Promise<void> {
    if (!(await this.image(id))) throw notFound(`No such image: ${id}`);
    await this.db.batch(await this.refOps(ref, id), { sync: true });
  }

  /** Removes a reference; returns the image it pointed to. */
  async untag(ref: string): Promise<string> {
    const id = await this.resolve(ref);
    if (!id) throw notFound(`No such image: ${ref}`);
    await this.db.batch([this.del(this.refs, ref), this.del(this.imageRefs, `${id} ${ref}`)], { sync: true });
    return id;
  }

  /**
   * Deletes an image that has no references left; returns the layers no image holds any more, top
   * first, for the caller to remove from the graph driver (after this batch, so a crash between the
   * two leaves only unreferenced layer directories, which start-up sweeps).
   */
  async deleteImage(id: string): Promise<LayerRecord[]> {
    const image = await this.image(id);
    if (!image) throw notFound(`No such image: ${id}`);
    if ((await this.refsOf(id)).length) throw conflict(`image ${id} is still referenced`);
    const ops: BatchOp[] = [this.del(this.images, id)];
    if (image.parent) ops.push(this.del(this.children, `${image.parent} ${id}`));
    const freed: LayerRecord[] = [];
    for (const chainId of [...image.chain].reverse()) {
      const l = await this.layer(chainId);
      if (!l) continue;
      if (l.refs <= 1) {
        ops.push(this.del(this.layers, chainId), this.put(this.journal, l.cacheId, ''));
        freed.push(l);
      } else ops.push(this.put(this.layers, chainId, { ...l, refs: l.refs - 1 }));
    }
    await this.db.batch(ops, { sync: true });
    return freed;
  }

  /** The cache ids of every layer in the store (to sweep driver directories left by a crash). */
  async cacheIds(): Promise<Set<string>> {
    const out = new Set<string>();
    for await (const l of this.layers.values()) out.add((l as LayerRecord).cacheId);
    return out;
  }

  /** Adds where layer blobs were seen (idempotent). */
  async addBlobSources(sources: BlobSource[]): Promise<void> {
    const ops = sources.map((b) => this.put(this.blobSources, `${b.diffId} ${b.digest} ${b.repository}`, b));
    if (ops.length) await this.db.batch(ops);
  }

  /** Where the blobs of a layer were seen. */
  async blobSourcesOf(diffId: string): Promise<BlobSource[]> {
    const out: BlobSource[] = [];
    for await (const v of this.blobSources.values({ gt: `${diffId} `, lt: `${diffId}!` })) out.push(v as BlobSource);
    return out;
  }

  /** Lists layer trees about to be made (before they are), or given up. */
  async journalAdd(cacheIds: string[]): Promise<void> {
    if (cacheIds.length) await this.db.batch(cacheIds.map((id) => this.put(this.journal, id, '')), { sync: true });
  }

  /** Drops layer trees from the journal (they were removed). */
  async journalDrop(cacheIds: string[]): Promise<void> {
    if (cacheIds.length) await this.db.batch(cacheIds.map((id) => this.del(this.journal, id)), { sync: true });
  }

  /** Every layer tree in the journal. */
  async journaled(): Promise<string[]> {
    const out: string[] = [];
    for await (const k of this.journal.keys()) out.push(k);
    return out;
  }

  private async refOps(ref: string, id: string): Promise<BatchOp[]> {
    const old = await this.resolve(ref);
    const ops: BatchOp[] = [];
    if (old && old !== id) ops.push(this.del(this.imageRefs, `${old} ${ref}`));
    ops.push(this.put(this.refs, ref, id), this.put(this.imageRefs, `${id} ${ref}`, ''));
    return ops;
  }

  private put<V>(sublevel: Sub<V>, key: string, value: V): BatchOp {
    return { type: 'put', sublevel, key, value } as unknown as BatchOp;
  }

  private del<V>(sublevel: Sub<V>, key: string): BatchOp {
    return { type: 'del', sublevel, key } as unknown as BatchOp;
  }
}
