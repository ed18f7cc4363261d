import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_VERSION, BERTH_VERSION } from '../../../protocol/api.js';
import { asBerthError, httpStatus, invalidParameter, type BerthError } from '../../../protocol/errdefs.js';

/** Largest JSON request body accepted (a container create is ~2 KB; Docker's own limit is generous). */
export const MAX_JSON_BODY = 4 * 1024 * 1024;

/** The headers dockerd puts on every response that is not hijacked. */
export function commonHeaders(): Record<string, string> {
  return {
    'Api-Version': API_VERSION,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `berth/${BERTH_VERSION} (linux)`,
  };
}

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...commonHeaders(), 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Writes an error as Docker does: the kind's status and `{"message": …}`. */
export function sendError(res: ServerResponse, err: unknown): BerthError {
  const e = asBerthError(err);
  if (res.headersSent) {
    // A stream already started: all that is left is to end it; the error is logged by the caller.
    res.destroy(e);
    return e;
  }
  sendJson(res, httpStatus(e.kind), { message: e.message });
  return e;
}

/** Starts a streaming JSON response (events, progress): headers go out at once, as dockerd flushes them. */
export function startStream(res: ServerResponse, contentType = 'application/json'): void {
  res.writeHead(200, { ...commonHeaders(), 'Content-Type': contentType });
  res.flushHeaders();
}

/** Reads the whole body up to `limit` bytes; larger bodies are refused with a 400. */
export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw invalidParameter(`request body too large: ${declared} bytes, at most ${limit} accepted`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw invalidParameter(`request body too large: more than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a JSON body. An empty body is `undefined`; a body that is not JSON, or that is sent with a
 * Content-Type other than JSON, is a 400 with Docker's wording.
 */
export async function readJson<T>(req: IncomingMessage): Promise<T | undefined> {
  const body = await readBody(req);
  if (body.length === 0) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type && type !== 'application/json') {
    throw invalidParameter(`unsupported Content-Type header (${type}): must be 'application/json'`);
  }
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (err) {
    throw invalidParameter(`invalid JSON in request body: ${(err as Error).message}`);
  }
}

/** A boolean query value, read as dockerd does ("", "0", "no", "false", "none" are false). */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !['', '0', 'no', 'false', 'none'].includes(v.toLowerCase());
}

/** An integer query value; anything else is a 400 naming the parameter. */
export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw invalidParameter(`invalid value for ${name}: ${JSON.stringify(v)} is not an integer`);
  return Number(v);
}

/** A taken-over connection: the stream to write output to, and the client's input when it can send any. */
export interface Hijacked {
  out: import('node:stream').Writable;
  input: import('node:stream').Readable | null;
}

/**
 * Takes a connection over for a raw stream (attach, exec start), as dockerd does: an `Upgrade: tcp`
 * request gets `101 UPGRADED` and the socket both ways; a plain request gets a 200 whose body is the
 * output (no input). Without a TTY the stream is multiplexed (8-byte frame headers).
 */
export function hijack(res: ServerResponse, socket: import('node:stream').Duplex | undefined, multiplexed: boolean): Hijacked {
  const type = multiplexed ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
  if (socket) {
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${type}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${headerLines()}\r\n`);
    return { out: socket, input: socket };
  }
  res.writeHead(200, { ...commonHeaders(), 'Content-Type': type });
  res.flushHeaders();
  return { out: res, input: null };
}

function headerLines(): string {
  return Object.entries(commonHeaders()).map(([k, v]) => `${k}: ${v}\r\n`).join('');
}
