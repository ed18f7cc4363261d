/**
 * Hijacked requests, as the docker CLI makes them for attach and exec start: a POST with
 * `Connection: Upgrade` / `Upgrade: tcp` on a connection of its own; after the daemon's `101` the
 * socket is a raw two-way byte stream (the container's output in, its stdin out).
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import { BERTH_VERSION } from '../protocol/api.js';
import { ApiClient, readText, type MultiQuery } from './api.js';
import { errorMessage, queryString, type TlsOptions } from './client.js';
import { DaemonError, connectError } from './errors.js';
import type { DaemonHost } from './host.js';

/** The open stream of a hijacked request. */
export interface Hijacked {
  /** The container's output: the socket after the 101, or the body of a daemon that answered 200. */
  output: Readable;
  /** Where stdin goes; null when the daemon streamed a plain 200 answer (no way back). */
  input: Duplex | null;
  /** Drops the connection. */
  close(): void;
}

/** One hijacked request: a JSON body (exec start) or none (attach). */
export interface HijackRequest {
  query?: MultiQuery;
  body?: object;
}

/** An ApiClient that can also hijack. */
export class HijackClient extends ApiClient {
  private readonly tlsOptions: TlsOptions | undefined;

  constructor(host: DaemonHost, tls?: TlsOptions) {
    super(host, tls);
    this.tlsOptions = host.kind === 'tcp' ? tls : undefined;
  }

  /** POSTs to a versioned path with the upgrade headers; resolves once the daemon has switched. */
  async hijack(path: string, opts: HijackRequest = {}): Promise<Hijacked> {
    const full = `/v${await this.apiVersion()}${path}${queryString(opts.query)}`;
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = this.request(full, body);
    return new Promise<Hijacked>((resolve, reject) => {
      req.on('upgrade', (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve({ output: socket, input: socket, close: () => socket.destroy() });
      });
      req.on('response', (res) => void answered(res).then(resolve, reject));
      req.on('error', (err) => reject(connectError(this.host.text, err)));
      req.end(body);
    });
  }

  private request(path: string, body: string | undefined): http.ClientRequest {
    const headers: http.OutgoingHttpHeaders = {
      'User-Agent': `Berth-Client/${BERTH_VERSION} (${process.platform})`,
      Connection: 'Upgrade',
      Upgrade: 'tcp',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    // A connection of its own (agent: false): once upgraded it belongs to the stream, not to a pool.
    const common = { method: 'POST', path, headers, agent: false as const };
    if (this.host.kind === 'unix') return http.request({ ...common, socketPath: this.host.socketPath });
    const target = { ...common, hostname: this.host.hostname, port: this.host.port };
    const tls = this.tlsOptions;
    if (!tls) return http.request(target);
    return https.request({ ...target, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.verify });
  }
}

/** A non-101 answer: an error, or (2xx) a daemon that streams output without hijacking. */
async function answered(res: http.IncomingMessage): Promise<Hijacked> {
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) throw new DaemonError(status, errorMessage(status, await readText(res).catch(() => '')));
  return { output: res, input: null, close: () => res.destroy() };
}
