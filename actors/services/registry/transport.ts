/**
 * HTTP to one registry endpoint on got 14: keep-alive agents shared by the client, no got-level
 * retries (blob resume and endpoint fallback are ours, and know more), no decompression (blobs are
 * hashed as sent), and the 401 → challenge → retry-once step on every request.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { got, type Got, type Response } from 'got';
import { cancelled } from '../../../protocol/errdefs.js';
import type { Authorizer } from './authorizer.js';
import type { Endpoint } from './endpoints.js';
import { networkError } from './errors.js';

/** Connection pool and got instance of a client. */
export interface HttpPool {
  got: Got;
  /** Closes idle keep-alive sockets (the client is done). */
  close(): void;
}

/** Tuning of the pool; tests shorten the timeouts. */
export interface PoolOptions {
  /** Parallel connections per registry host (layers download concurrently). */
  maxSockets?: number;
  /** ms without a byte on a socket before the request fails (a stalled blob is then resumed). */
  idleTimeoutMs?: number;
  /** ms to connect (and for TLS to set up). */
  connectTimeoutMs?: number;
  userAgent?: string;
}

/** Makes the pool a client uses for all its registries. */
export function createPool(opts: PoolOptions = {}): HttpPool {
  const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 16 };
  const agent = { http: new http.Agent(agentOpts), https: new https.Agent(agentOpts) };
  const connect = opts.connectTimeoutMs ?? 15_000;
  const instance = got.extend({
    agent,
    retry: { limit: 0 },
    decompress: false,
    followRedirect: true,
    throwHttpErrors: false,
    headers: { 'user-agent': opts.userAgent ?? 'berth (registry client)' },
    timeout: { lookup: connect, connect, secureConnect: connect, socket: opts.idleTimeoutMs ?? 60_000 },
  });
  return {
    got: instance,
    close: () => {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

/** HTTP methods the distribution API uses. */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request: a path under the endpoint (`/v2/…`) or an absolute URL (an upload Location). */
export interface RegistryRequest {
  method: Method;
  url: string;
  headers?: Record<string, string>;
  /** A buffer, or a function that opens the body afresh, so that a request can be sent twice. */
  body?: Buffer | string | (() => Readable);
  signal?: AbortSignal;
}

/** A buffered answer. */
export interface RegistryResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The final URL, after redirects. */
  url: string;
}

/** A streamed answer; the caller reads or destroys `body`. */
export interface StreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** Requests against one endpoint, authorized by one Authorizer. */
export class Transport {
  constructor(
    readonly endpoint: Endpoint,
    private readonly pool: HttpPool,
    readonly auth: Authorizer,
  ) {}

  /** An absolute URL for a path or a Location header (which may be relative, per the spec). */
  url(pathOrLocation: string): string {
    return new URL(pathOrLocation, this.endpoint.url + '/').href;
  }

  /** Sends a request and buffers the answer; network failures are Unavailable, HTTP statuses are returned. */
  async request(req: RegistryRequest): Promise<RegistryResponse> {
    for (let attempt = 0; ; attempt++) {
      const url = this.url(req.url);
      let res: Response<Buffer>;
      let headers: Record<string, string>;
      try {
        headers = await this.headers(req);
        const body = typeof req.body === 'function' ? req.body() : req.body;
        res = await this.pool.got(url, { method: req.method, headers, body, responseType: 'buffer', ...this.common(req) });
      } catch (err) {
        throw this.failure(req, url, err);
      }
      if (res.statusCode === 401 && attempt === 0 && this.auth.challenged(res.headers['www-authenticate'], headers.authorization)) continue;
      return { status: res.statusCode, headers: res.headers, body: res.rawBody, url: res.url };
    }
  }

  /** Sends a request and hands over the body as a stream once the status is known. */
  async stream(req: RegistryRequest): Promise<StreamResponse> {
    for (let attempt = 0; ; attempt++) {
      const url = this.url(req.url);
      let res: { status: number; headers: IncomingHttpHeaders; body: Readable };
      let headers: Record<string, string>;
      try {
        headers = await this.headers(req);
        const s = this.pool.got.stream(url, { method: req.method, headers, ...this.common(req) });
        const response = await new Promise<Response>((resolve, reject) => {
          s.once('response', resolve);
          s.once('error', reject);
        });
        res = { status: response.statusCode, headers: response.headers, body: s };
      } catch (err) {
        throw this.failure(req, url, err);
      }
      if (res.status === 401 && attempt === 0 && this.auth.challenged(res.headers['www-authenticate'], headers.authorization)) {
        res.body.destroy();
        continue;
      }
      return res;
    }
  }

  private async headers(req: RegistryRequest): Promise<Record<string, string>> {
    const headers = { ...req.headers };
    const authorization = await this.auth.authorization(req.signal);
    if (authorization) headers.authorization = authorization;
    return headers;
  }

  private common(req: RegistryRequest) {
    return { https: { rejectUnauthorized: this.endpoint.tlsVerify }, signal: req.signal };
  }

  private failure(req: RegistryRequest, url: string, err: unknown): Error {
    if (req.signal?.aborted) return cancelled(`${req.method} ${url} cancelled`, err);
    return networkError(this.endpoint.registry, req.method, url, err);
  }
}
