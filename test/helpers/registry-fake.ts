/**
 * An in-process FAKE registry (node http), only for what the real one cannot be made to do: cut a
 * connection in the middle of a blob (to test Range resume), serve bytes that do not match their
 * digest, serve a blob slowly, ignore Range. It also does the Bearer challenge with its own token
 * endpoint and Basic auth, and records every request. Pull only: push is tested on the real registry.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Blob, TestImage, TestIndex } from './images.js';

/** A request the fake saw. */
export interface SeenRequest {
  method: string;
  url: string;
  range?: string;
  authorization?: string;
}

/** Faults, by blob digest; change them between requests as a test goes. */
export interface Faults {
  /** Cut the connection after this many bytes of a GET's body; `times` GETs are cut (default 1). */
  cut: Map<string, { after: number; times?: number }>;
  /** Serve these blobs with one byte flipped (same size, wrong digest). */
  corrupt: Set<string>;
  /** Serve these blobs with one extra byte at the end. */
  oversize: Set<string>;
  /** Serve these blobs at this many bytes per second. */
  slow: Map<string, number>;
  /** Answer Range requests with 200 and the whole blob. */
  ignoreRange: boolean;
}

/** Auth of the fake: Bearer with its own /token, or Basic; users map to passwords. */
export interface FakeAuth {
  scheme: 'bearer' | 'basic';
  users: Record<string, string>;
  /** Bearer: anonymous callers get pull. */
  anonymousPull?: boolean;
}

/** The running fake. */
export interface FakeRegistry {
  url: string;
  host: string;
  requests: SeenRequest[];
  /** Every scope list asked of /token, with the account (or '' for anonymous). */
  tokenRequests: { scopes: string[]; account: string }[];
  faults: Faults;
  /** Serves an image or index as `repo:tag` (and by digest). */
  add(repo: string, tag: string, image: TestImage | TestIndex): void;
  /** Forgets every issued token, as if they had expired on the server's side. */
  revokeTokens(): void;
  close(): Promise<void>;
}

interface Store {
  manifests: Map<string, Blob>; // `${repo}@${tag or digest}`
  blobs: Map<string, Blob>;
}

/** Starts the fake on 127.0.0.1. */
export async function startFakeRegistry(opts: { auth?: FakeAuth } = {}): Promise<FakeRegistry> {
  const store: Store = { manifests: new Map(), blobs: new Map() };
  const faults: Faults = { cut: new Map(), corrupt: new Set(), oversize: new Set(), slow: new Map(), ignoreRange: false };
  const requests: SeenRequest[] = [];
  const tokenRequests: FakeRegistry['tokenRequests'] = [];
  const tokens = new Map<string, string[]>(); // token → granted scopes
  let url = '';
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', range: req.headers.range, authorization: req.headers.authorization });
    const ctx = { req, res, store, faults, auth: opts.auth, tokens, tokenRequests, url };
    route(ctx).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
  const addImage = (repo: string, img: TestImage, tag?: string) => {
    for (const b of [img.config, ...img.layers]) store.blobs.set(b.digest, b);
    store.manifests.set(`${repo}@${img.manifest.digest}`, img.manifest);
    if (tag) store.manifests.set(`${repo}@${tag}`, img.manifest);
  };
  return {
    url,
    host: `127.0.0.1:${port}`,
    requests,
    tokenRequests,
    faults,
    add(repo, tag, image) {
      if (image.kind === 'image') return addImage(repo, image, tag);
      for (const img of image.images) addImage(repo, img);
      store.manifests.set(`${repo}@${image.index.digest}`, image.index);
      store.manifests.set(`${repo}@${tag}`, image.index);
    },
    revokeTokens: () => tokens.clear(),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  store: Store;
  faults: Faults;
  auth?: FakeAuth;
  tokens: Map<string, string[]>;
  tokenRequests: FakeRegistry['tokenRequests'];
  url: string;
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
}

async function route(ctx: Ctx): Promise<void> {
  const { req, res } = ctx;
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/token') return issueToken(ctx);
  const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
  if (!authorized(ctx, m?.[1])) return;
  if (path === '/v2/') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return sendError(res, 404, 'UNSUPPORTED', 'not in the fake');
  const [, repo, kind, ref] = m as unknown as [string, string, string, string];
  if (kind === 'manifests') {
    const blob = ctx.store.manifests.get(`${repo}@${ref}`);
    if (!blob) return sendError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    res.writeHead(200, { 'content-type': blob.mediaType, 'content-length': blob.size, 'docker-content-digest': blob.digest });
    return void res.end(req.method === 'HEAD' ? undefined : blob.bytes);
  }
  const blob = ctx.store.blobs.get(ref);
  if (!blob) return sendError(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
  return serveBlob(ctx, blob);
}

async function serveBlob({ req, res, faults }: Ctx, blob: Blob): Promise<void> {
  let bytes = blob.bytes;
  if (faults.corrupt.has(blob.digest)) {
    bytes = Buffer.from(bytes);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
  }
  if (faults.oversize.has(blob.digest)) bytes = Buffer.concat([bytes, Buffer.from([0])]);
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = range && !faults.ignoreRange ? Number(range[1]) : 0;
  const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'docker-content-digest': blob.digest, 'accept-ranges': 'bytes' };
  if (start > 0) headers['content-range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
  headers['content-length'] = bytes.length - start;
  res.writeHead(start > 0 ? 206 : 200, headers);
  if (req.method === 'HEAD') return void res.end();
  let body = bytes.subarray(start);
  const cut = faults.cut.get(blob.digest);
  if (cut && (cut.times ?? 1) > 0) {
    cut.times = (cut.times ?? 1) - 1;
    body = body.subarray(0, cut.after);
    await new Promise<void>((resolve) => res.write(body, () => resolve()));
    await sleep(20); // let the bytes leave before the reset
    return void res.socket?.resetAndDestroy();
  }
  const rate = faults.slow.get(blob.digest);
  if (!rate) return void res.end(body);
  const step = Math.max(1, Math.floor(rate / 20));
  for (let i = 0; i < body.length && !res.destroyed; i += step) {
    res.write(body.subarray(i, i + step));
    await sleep(50);
  }
  res.end();
}

function authorized(ctx: Ctx, repo: string | undefined): boolean {
  const { req, res, auth } = ctx;
  if (!auth) return true;
  const header = req.headers.authorization ?? '';
  if (auth.scheme === 'basic') {
    const [u = '', p = ''] = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString().split(/:(.*)/s);
    if (header.startsWith('Basic ') && auth.users[u] === p) return true;
    sendError(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': 'Basic realm="fake"' });
    return false;
  }
  const scope = repo ? `repository:${repo}:pull` : undefined;
  const granted = ctx.tokens.get(header.replace(/^Bearer /, '')) ?? [];
  if (header.startsWith('Bearer ') && (scope === undefined ? ctx.tokens.has(header.slice(7)) : granted.includes(scope))) return true;
  const challenge = `Bearer realm="${ctx.url}/token",service="fake"${scope ? `,scope="${scope}"` : ''}`;
  sendError(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': challenge });
  return false;
}

function issueToken({ req, res, auth, tokens, tokenRequests }: Ctx): void {
  const params = new URL(req.url ?? '/', 'http://x').searchParams;
  const scopes = params.getAll('scope');
  const header = req.headers.authorization ?? '';
  const [u = '', p = ''] = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString().split(/:(.*)/s);
  const account = header.startsWith('Basic ') ? u : '';
  tokenRequests.push({ scopes, account });
  if (account && auth?.users[account] !== p) return sendError(res, 401, 'UNAUTHORIZED', 'incorrect username or password');
  const granted = account || auth?.anonymousPull ? scopes.flatMap(expandScope) : [];
  const token = `tok-${randomUUID()}`;
  tokens.set(token, granted);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ token, expires_in: 300 }));
}

/** `repository:x:pull,push` → one scope per action, so that checks are plain lookups. */
function expandScope(scope: string): string[] {
  const last = scope.lastIndexOf(':');
  return scope.slice(last + 1).split(',').map((a) => `${scope.slice(0, last)}:${a}`);
}
