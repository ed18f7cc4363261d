/**
 * The requests the image commands need beyond Client's JSON calls: any method, extra headers
 * (X-Registry-Auth), a streamed request body (import, load) and a streamed answer (pull, save).
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { BERTH_VERSION } from '../protocol/api.js';
import { Client, errorMessage, queryString, responseLines, type MultiQuery, type TlsOptions } from './client.js';
import { DaemonError, connectError } from './errors.js';
import type { DaemonHost } from './host.js';

export type { MultiQuery };

/** One streamed request. */
export interface StreamRequest {
  query?: MultiQuery;
  headers?: Record<string, string>;
  /** A JSON value is sent as JSON; a Buffer or stream as is (say its Content-Type in headers). */
  body?: Readable | Buffer | object;
  signal?: AbortSignal;
}

/** A Client that can also stream. close() closes both its connection pools. */
export class ApiClient extends Client {
  private readonly rawAgent: http.Agent;
  private readonly rawSecure: boolean;

  constructor(host: DaemonHost, tls?: TlsOptions) {
    super(host, tls);
    // Client keeps its agent to itself, so streams get their own, made by the same rules.
    this.rawSecure = tls !== undefined && host.kind === 'tcp';
    this.rawAgent = this.rawSecure && tls
      ? new https.Agent({ keepAlive: true, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.verify })
      : new http.Agent({ keepAlive: true });
  }

  /** Sends a request to a versioned path; resolves with the answer once it is 2xx, else throws DaemonError. */
  async stream(method: string, path: string, opts: StreamRequest = {}): Promise<http.IncomingMessage> {
    const res = await this.sendRaw(method, `/v${await this.apiVersion()}${path}${queryString(opts.query)}`, opts);
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    throw new DaemonError(status, errorMessage(status, await readText(res).catch(() => '')));
  }

  /** Like stream(), reading the whole answer as text. */
  async text(method: string, path: string, opts: StreamRequest = {}): Promise<string> {
    return readText(await this.stream(method, path, opts));
  }

  /** The non-empty lines of a streamed answer (the daemon ends each JSON message with `\r\n`). */
  readLines(res: http.IncomingMessage): AsyncGenerator<string> {
    return responseLines(res, this.host.text);
  }

  override close(): void {
    super.close();
    this.rawAgent.destroy();
  }

  private sendRaw(method: string, path: string, opts: StreamRequest): Promise<http.IncomingMessage> {
    const headers: http.OutgoingHttpHeaders = { 'User-Agent': `Berth-Client/${BERTH_VERSION} (${process.platform})`, ...opts.headers };
    const body = opts.body;
    const json = body !== undefined && !Buffer.isBuffer(body) && !isReadable(body);
    if (json) headers['Content-Type'] = 'application/json';
    const target = this.host.kind === 'unix' ? { socketPath: this.host.socketPath } : { hostname: this.host.hostname, port: this.host.port };
    const request = this.rawSecure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request({ ...target, method, path, headers, agent: this.rawAgent, signal: opts.signal }, resolve);
      req.on('error', (err) => reject(opts.signal?.aborted ? err : connectError(this.host.text, err)));
      if (isReadable(body)) {
        body.on('error', (err) => req.destroy(err));
        body.pipe(req);
      } else {
        req.end(json ? JSON.stringify(body) : body);
      }
    });
  }
}

function isReadable(value: unknown): value is Readable {
  return typeof (value as Readable | undefined)?.pipe === 'function';
}

/** Reads a whole answer as UTF-8 text. */
export async function readText(res: http.IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res as AsyncIterable<string>) text += chunk;
  return text;
}
