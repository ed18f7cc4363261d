/**
 * The registry client of the engine (Docker's `registry` service + distribution client): one per
 * daemon, holding the connection pool, the token cache and the daemon's registry options
 * (--insecure-registry, --registry-mirror). Credentials come with each call (X-Registry-Auth).
 *
 *     const repo = client.repository(parseNormalizedNamed('busybox'), { auth });
 *     const { manifest } = await repo.resolve();          // through any index, for this host
 *     const { config } = await repo.config(manifest.document.config);
 *     repo.blob(manifest.document.layers[0]).pipe(...);  // verified while streaming
 */
import { DEFAULT_DOMAIN, type Reference } from '../../../protocol/reference.js';
import type { AuthConfig, ImageSearchResponseItem, Platform } from '../../../protocol/types/image.js';
import { CATALOG_SCOPE, repositoryScope } from './auth.js';
import { listCatalog, searchCatalog } from './catalog.js';
import { searchHub } from './hub-search.js';
import { login, type LoginResult } from './login.js';
import type { EndpointOptions } from './endpoints.js';
import type { Resolved } from './manifests.js';
import { Repository } from './repository.js';
import { Session, type ClientContext } from './session.js';
import { TokenCache } from './token.js';
import { createPool, type PoolOptions } from './transport.js';

/** Options of a client: dockerd's registry options and the pool's tuning. */
export interface RegistryClientOptions extends EndpointOptions, PoolOptions {
  /** Docker Hub's index, for search (default https://index.docker.io; tests name one that cannot be reached). */
  indexServer?: string;
}

/** Per-call options: the caller's credentials and cancellation. */
export interface CallOptions {
  auth?: AuthConfig;
  signal?: AbortSignal;
}

/** The distribution client. */
export class RegistryClient {
  private readonly ctx: ClientContext;

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.ctx = { pool: createPool(options), tokens: new TokenCache(), options, preferred: new Map() };
  }

  /**
   * A repository handle for one job. `push` asks for pull+push scope and never uses mirrors; each
   * handle keeps to the endpoint that first answered it.
   */
  repository(ref: Reference, opts: { auth?: AuthConfig; push?: boolean } = {}): Repository {
    const actions = opts.push ? (['pull', 'push'] as const) : (['pull'] as const);
    const session = new Session(this.ctx, {
      domain: ref.domain,
      auth: opts.auth,
      scopes: [repositoryScope(ref.path, actions)],
      useMirrors: !opts.push,
    });
    return new Repository(ref, session);
  }

  /** Resolves a reference to the image manifest for a platform; the returned repository fetches its blobs. */
  async resolve(ref: Reference, opts: CallOptions & { platform?: Platform } = {}): Promise<Resolved & { repository: Repository }> {
    const repository = this.repository(ref, { auth: opts.auth });
    const resolved = await repository.resolve(opts.platform, opts.signal);
    return { ...resolved, repository };
  }

  /** Every repository name in a registry's catalog (`registry` as in references: `127.0.0.1:5000`). */
  catalog(registry: string, opts: CallOptions = {}): Promise<string[]> {
    const session = new Session(this.ctx, { domain: registry, auth: opts.auth, scopes: [CATALOG_SCOPE], useMirrors: false });
    return session.run((t) => listCatalog(t, opts.signal));
  }

  /** /images/search: Docker Hub's search for docker.io, else the registry's catalog entries containing `term`. */
  async search(registry: string, term: string, opts: CallOptions & { limit?: number } = {}): Promise<ImageSearchResponseItem[]> {
    if (registry === DEFAULT_DOMAIN) return searchHub(this.ctx.pool, term, opts.limit ?? 25, { ...opts, indexServer: this.options.indexServer });
    return searchCatalog(registry, await this.catalog(registry, opts), term, opts.limit);
  }

  /** POST /auth: checks credentials against their registry (see login.ts). */
  login(auth: AuthConfig, signal?: AbortSignal): Promise<LoginResult> {
    return login(this.ctx, auth, signal);
  }

  /** Closes idle connections; in-flight requests finish. */
  close(): void {
    this.ctx.pool.close();
  }
}

export type { Repository, FetchedConfig } from './repository.js';
export type { Resolved, FetchedManifest } from './manifests.js';
export type { BlobSource, PushBlobOptions, PushBlobResult, StreamedBlob } from './push.js';
export type { BlobFetchOptions } from './blobs.js';
export { decodeRegistryAuth, encodeRegistryAuth } from './auth.js';
export type { LoginResult } from './login.js';
export { hostPlatform, parsePlatform, formatPlatform, platformMatches } from './platform.js';
