/**
 * A session with one registry: its endpoints in order (mirrors, HTTPS, then plain HTTP for an insecure
 * registry), one Transport + Authorizer each, and the fallback rule between them: a mirror that fails
 * in any way, or an endpoint that cannot be reached, hands over to the next. Once an endpoint has
 * answered, the session keeps to it (a manifest's blobs come from where the manifest came from).
 */
import { BerthError } from '../../../protocol/errdefs.js';
import { credentialsOf, type Credentials } from './auth.js';
import { Authorizer } from './authorizer.js';
import { endpointsFor, type EndpointOptions } from './endpoints.js';
import { isNetworkError } from './errors.js';
import type { TokenCache } from './token.js';
import { Transport, type HttpPool } from './transport.js';
import type { AuthConfig } from '../../../protocol/types/image.js';

/** What every session of a client shares. */
export interface ClientContext {
  pool: HttpPool;
  tokens: TokenCache;
  options: EndpointOptions;
  /** Registry → the endpoint URL that last answered, tried first next time (skips a failing HTTPS probe). */
  preferred: Map<string, string>;
}

/** What a session is for. */
export interface SessionSpec {
  /** The registry domain as in references (`docker.io`, `127.0.0.1:5000`). */
  domain: string;
  auth?: AuthConfig;
  scopes: readonly string[];
  /** Pulls may be served by docker.io's mirrors; pushes and catalogs may not. */
  useMirrors: boolean;
  /** Ask token servers for refresh tokens too (a login, which returns one as the identity token). */
  offlineToken?: boolean;
}

/** Endpoints, their transports and the fallback between them. */
export class Session {
  private transports?: Promise<Transport[]>;
  private current?: Transport;

  constructor(
    private readonly ctx: ClientContext,
    readonly spec: SessionSpec,
  ) {}

  /** Runs `op` on the endpoint in use, or on each endpoint in turn until one answers. */
  async run<T>(op: (t: Transport) => Promise<T>): Promise<T> {
    if (this.current) return op(this.current);
    let last: unknown;
    for (const t of await this.all()) {
      try {
        const out = await op(t);
        this.current = t;
        this.ctx.preferred.set(this.spec.domain, t.endpoint.url);
        return out;
      } catch (err) {
        if (!shouldFallBack(t, err)) throw err;
        last = err;
      }
    }
    throw last;
  }

  /**
   * The transport in use; before any operation, the first endpoint that answers GET /v2/ (any HTTP
   * answer will do: a 401 there also teaches the auth challenge).
   */
  async transport(): Promise<Transport> {
    if (this.current) return this.current;
    return this.run(async (t) => {
      await t.request({ method: 'GET', url: '/v2/' });
      return t;
    });
  }

  private all(): Promise<Transport[]> {
    this.transports ??= this.build();
    return this.transports;
  }

  private async build(): Promise<Transport[]> {
    const endpoints = await endpointsFor(this.spec.domain, this.ctx.options, this.spec.useMirrors);
    const preferred = this.ctx.preferred.get(this.spec.domain);
    // A remembered origin endpoint moves ahead of the other origin endpoints, never ahead of mirrors.
    const i = endpoints.findIndex((e) => !e.mirror && e.url === preferred);
    const firstOrigin = endpoints.findIndex((e) => !e.mirror);
    if (i > firstOrigin) endpoints.splice(firstOrigin, 0, ...endpoints.splice(i, 1));
    const creds = credentialsOf(this.spec.auth);
    return endpoints.map((e) => {
      // Mirrors get no credentials: those were given for the origin registry (OCI distribution spec).
      const c: Credentials = e.mirror ? {} : creds;
      const auth = new Authorizer({ got: this.ctx.pool.got, tokens: this.ctx.tokens, tlsVerify: e.tlsVerify }, c, this.spec.scopes, this.spec.offlineToken);
      return new Transport(e, this.ctx.pool, auth);
    });
  }
}

/** A mirror gives way on any failure but cancellation; an origin endpoint only when unreachable. */
function shouldFallBack(t: Transport, err: unknown): boolean {
  if (err instanceof BerthError && err.kind === 'Cancelled') return false;
  return t.endpoint.mirror || isNetworkError(err);
}
