/**
 * A small Docker Engine API client over node:http / node:https. It negotiates the API version the way
 * the docker CLI does (HEAD /_ping, then min(ours, the daemon's Api-Version)) and reports failures as
 * DaemonError (the daemon said no) or ConnectError (no daemon to ask).
 */
import http from 'node:http';
import https from 'node:https';
import { API_VERSION, BERTH_VERSION, compareApiVersions } from '../protocol/api.js';
import type { ErrorResponse } from '../protocol/errdefs.js';
import { DaemonError, connectError } from './errors.js';
import type { DaemonHost } from './host.js';

/** TLS material for a tcp:// host, read from the --tlscacert/--tlscert/--tlskey files. */
export interface TlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Verify the daemon's certificate (--tlsverify); plain --tls encrypts without verifying, as docker does. */
  verify: boolean;
}

/** Query parameters; undefined values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** Options of one request. */
export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

// What the docker CLI assumes of a daemon that answers /_ping without an Api-Version header.
const FALLBACK_API_VERSION = '1.24';

/** The API version to use given the status and Api-Version header of /_ping (docker CLI rules). */
export function pickApiVersion(status: number, header: string | undefined): string {
  if (header !== undefined && /^\d+\.\d+$/.test(header)) {
    return compareApiVersions(header, API_VERSION) < 0 ? header : API_VERSION;
  }
  // A daemon that answers 2xx without the header is an old one; one that fails the ping tells us nothing.
  return status >= 200 && status < 300 ? FALLBACK_API_VERSION : API_VERSION;
}

/** A connection to one daemon. Reuses keep-alive connections; call close() when done. */
export class Client {
  /** The daemon this client talks to. */
  readonly host: DaemonHost;
  private readonly agent: http.Agent;
  private readonly secure: boolean;
  private negotiated: Promise<string> | undefined;

  constructor(host: DaemonHost, tls?: TlsOptions) {
    this.host = host;
    // TLS only applies to tcp; docker ignores the TLS flags for a unix socket, and so do we.
    this.secure = tls !== undefined && host.kind === 'tcp';
    this.agent = this.secure && tls
      ? new https.Agent({ keepAlive: true, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.verify })
      : new http.Agent({ keepAlive: true });
  }

  /** The API version in use, negotiated once with HEAD /_ping (GET when HEAD is not allowed). */
  apiVersion(): Promise<string> {
    this.negotiated ??= this.negotiate();
    return this.negotiated;
  }

  /** GET a versioned path and parse its JSON body. */
  async get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', path, { query });
  }

  /** POST a JSON body (if any) to a versioned path and parse the JSON answer (undefined when empty). */
  async post<T>(path: string, body?: unknown, query?: Query): Promise<T> {
    return this.json<T>('POST', path, { query, body });
  }

  /**
   * GET a versioned path that streams newline-delimited JSON and yield each line's text. Lines are
   * yielded raw so that a caller can keep what JSON.parse would lose (events' 19-digit timeNano).
   * Aborting the signal ends the iteration quietly.
   */
  async *lines(path: string, query?: Query, signal?: AbortSignal): AsyncGenerator<string> {
    const res = await this.send('GET', await this.versioned(path), { query, signal });
    if (!ok(res)) throw await daemonError(res);
    yield* responseLines(res, this.host.text, signal);
  }

  /** Drops the kept-alive connections so the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private async negotiate(): Promise<string> {
    let ping = await this.ping('HEAD');
    if (ping.header === undefined && (ping.status === 404 || ping.status === 405)) ping = await this.ping('GET');
    return pickApiVersion(ping.status, ping.header);
  }

  private async ping(method: 'HEAD' | 'GET'): Promise<{ status: number; header: string | undefined }> {
    const res = await this.send(method, '/_ping', {});
    await readBody(res);
    const header = res.headers['api-version'];
    return { status: res.statusCode ?? 0, header: Array.isArray(header) ? header[0] : header };
  }

  private async versioned(path: string): Promise<string> {
    return `/v${await this.apiVersion()}${path}`;
  }

  private async json<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    const res = await this.send(method, await this.versioned(path), opts);
    if (!ok(res)) throw await daemonError(res);
    const text = await readBody(res);
    return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
  }

  private send(method: string, path: string, opts: RequestOptions): Promise<http.IncomingMessage> {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: http.OutgoingHttpHeaders = { 'User-Agent': `Berth-Client/${BERTH_VERSION} (${process.platform})` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const target = this.host.kind === 'unix'
      ? { socketPath: this.host.socketPath }
      : { hostname: this.host.hostname, port: this.host.port };
    const request = this.secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request({ ...target, method, path: path + queryString(opts.query), headers, agent: this.agent, signal: opts.signal }, resolve);
      req.on('error', (err) => reject(opts.signal?.aborted ? err : connectError(this.host.text, err)));
      req.end(body);
    });
  }
}

function ok(res: http.IncomingMessage): boolean {
  const status = res.statusCode ?? 0;
  return status >= 200 && status < 300;
}

/** Query parameters; an array repeats the parameter (`names=a&names=b`), undefined leaves it out. */
export type MultiQuery = Record<string, string | number | boolean | undefined | readonly string[]>;

/** `?a=1&b=x&b=y` for a query (undefined values left out), or '' when nothing is left. */
export function queryString(query: MultiQuery | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The non-empty lines of a streamed answer, trimmed (the daemon ends each JSON message with `\r\n`).
 * A broken connection is a ConnectError naming `host`, unless `signal` aborted it: then the lines just end.
 */
export async function* responseLines(res: http.IncomingMessage, host: string, signal?: AbortSignal): AsyncGenerator<string> {
  res.setEncoding('utf8');
  let pending = '';
  try {
    for await (const chunk of res as AsyncIterable<string>) {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) yield line.trim();
    }
  } catch (err) {
    if (signal?.aborted) return;
    throw connectError(host, err);
  }
  if (pending.trim()) yield pending.trim();
}

async function readBody(res: http.IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res as AsyncIterable<string>) text += chunk;
  return text;
}

/** Turns a non-2xx answer into a DaemonError carrying the ErrorResponse message (or what there is). */
async function daemonError(res: http.IncomingMessage): Promise<DaemonError> {
  const status = res.statusCode ?? 0;
  const text = await readBody(res).catch(() => '');
  return new DaemonError(status, errorMessage(status, text));
}

/** The message of an error body: its `message` field when it is an ErrorResponse, else the text itself. */
export function errorMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as Partial<ErrorResponse> | null;
    if (typeof body?.message === 'string') return body.message;
  } catch {
    // Not JSON (a proxy's HTML page, plain text): show it as it is.
  }
  return text.trim() || `${status} ${http.STATUS_CODES[status] ?? 'Unknown status'}`;
}
