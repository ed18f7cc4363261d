/**
 * One repository of one registry, with the credentials of one request: everything a pull or push job
 * asks of the registry. Obtain it from RegistryClient.repository().
 */
import type { Readable } from 'node:stream';
import { familiarString, withDefaultTag, type Reference } from '../../../protocol/reference.js';
import type { Descriptor, ImageConfigFile, Platform } from '../../../protocol/types/image.js';
import { BlobStream, fetchBlobBytes, statBlob, type BlobFetchOptions } from './blobs.js';
import { fetchManifest, headManifest, putManifest, resolveManifest, type FetchedManifest, type Resolved } from './manifests.js';
import { mountBlob, pushBlob, pushBlobStream, type BlobSource, type PushBlobOptions, type PushBlobResult, type StreamedBlob } from './push.js';
import type { Session } from './session.js';
import { checkConfig } from './validate.js';
import { system } from '../../../protocol/errdefs.js';

/** An image config blob as fetched: exact bytes (the image ID is their digest) and the parsed document. */
export interface FetchedConfig {
  bytes: Buffer;
  config: ImageConfigFile;
}

/** Registry operations on one repository. */
export class Repository {
  /** The repository path in the registry (`library/busybox`). */
  readonly name: string;

  constructor(
    readonly ref: Reference,
    private readonly session: Session,
  ) {
    this.name = ref.path;
  }

  /** The tag or digest a manifest request for the reference names (the digest wins, as in dockerd). */
  get reference(): string {
    const r = withDefaultTag(this.ref);
    return r.digest ?? r.tag!;
  }

  /** The reference as messages show it (`busybox:latest`, `127.0.0.1:5000/x@sha256:…`). */
  get display(): string {
    return familiarString(withDefaultTag(this.ref));
  }

  /** The image manifest for a platform (default: this host's), through any index. */
  resolve(platform?: Platform, signal?: AbortSignal): Promise<Resolved> {
    return this.session.run((t) => resolveManifest(t, this.name, this.reference, this.display, platform, signal));
  }

  /** A manifest or index as it is, by tag or digest (default: the reference's). */
  manifest(reference = this.reference, signal?: AbortSignal): Promise<FetchedManifest> {
    return this.session.run((t) => fetchManifest(t, this.name, reference, this.display, signal));
  }

  /** HEAD a manifest: its digest, or undefined when absent (to tell "Image is up to date" cheaply). */
  headManifest(reference = this.reference, signal?: AbortSignal): Promise<{ digest: string; mediaType: string; size: number } | undefined> {
    return this.session.run((t) => headManifest(t, this.name, reference, this.display, signal));
  }

  /**
   * A blob as a verified stream (see blobs.ts): it errors instead of ending when the bytes are not
   * the descriptor's, so whatever the caller wrote from it must be discarded then.
   */
  blob(desc: Descriptor, opts: BlobFetchOptions = {}): BlobStream {
    return new BlobStream(() => this.session.transport(), this.name, desc, opts);
  }

  /** The image config a manifest names, verified and shape-checked. */
  async config(desc: Descriptor, opts: BlobFetchOptions = {}): Promise<FetchedConfig> {
    const bytes = await this.session.run((t) => fetchBlobBytes(t, this.name, desc, opts));
    let doc: unknown;
    try {
      doc = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw system(`image config ${desc.digest} of ${this.display} is not JSON`);
    }
    return { bytes, config: checkConfig(doc, `image config ${desc.digest} of ${this.display}`) };
  }

  /** The blob's size if the repository has it. */
  statBlob(digest: string, signal?: AbortSignal): Promise<number | undefined> {
    return this.session.run((t) => statBlob(t, this.name, digest, signal));
  }

  /** Pushes a blob (skipped when present, mounted when another repository has it, else uploaded). */
  pushBlob(desc: Descriptor, source: BlobSource, opts: PushBlobOptions = {}): Promise<PushBlobResult> {
    return this.session.run((t) => pushBlob(t, this.name, desc, source, opts));
  }

  /** Uploads a blob whose digest is known only once it is sent (see push.ts); returns digest and size. */
  pushBlobStream(open: () => Readable, signal?: AbortSignal): Promise<StreamedBlob> {
    return this.session.run((t) => pushBlobStream(t, this.name, open, signal));
  }

  /** Mounts a blob from another repository of the registry; false when the registry would not. */
  mountBlob(digest: string, from: string, signal?: AbortSignal): Promise<boolean> {
    return this.session.run((t) => mountBlob(t, this.name, digest, from, signal));
  }

  /** Pushes a manifest under a tag or digest (default: the reference's); returns its digest. */
  pushManifest(mediaType: string, bytes: Buffer, reference = this.reference, signal?: AbortSignal): Promise<string> {
    return this.session.run((t) => putManifest(t, this.name, reference, mediaType, bytes, signal));
  }
}
