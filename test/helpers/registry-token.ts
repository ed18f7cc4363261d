/**
 * An in-process token server for the Bearer flow (distribution's "token" auth): it signs RS256 JWTs
 * with a key and self-signed certificate made by openssl at test time; the registry trusts the
 * certificate (rootcertbundle) and finds it in each token's x5c header. Users with passwords get
 * what they ask for; anonymous callers get pull only when allowed; identity (refresh) tokens work
 * through POST, as after a `docker login` to a token-auth registry.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** One access entry of a token: `{type:'repository', name:'x', actions:['pull']}`. */
export interface Access {
  type: string;
  name: string;
  actions: string[];
}

/** What the token server was asked, for assertions. */
export interface TokenRequestLog {
  method: string;
  scopes: string[];
  account?: string;
  granted: Access[];
}

/** Who may get tokens. */
export interface TokenServerOptions {
  /** user → password (Basic on GET). */
  users?: Record<string, string>;
  /** refresh token → user (POST grant_type=refresh_token); a login (`offline_token=true`) adds its own. */
  identityTokens?: Record<string, string>;
  /** Anonymous callers get `pull` on any repository. */
  anonymousPull?: boolean;
}

/** A running token server. */
export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificate the registry must trust. */
  certPath: string;
  requests: TokenRequestLog[];
  /** A token for these accesses, signed like the served ones (for fixtures pushing directly). */
  mint(access: Access[], account?: string): string;
  close(): Promise<void>;
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Parses `repository:name:pull,push` (names have no colon; `registry:catalog:*` too). */
export function parseScope(scope: string): Access | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',') };
}

/** Starts the token server on 127.0.0.1; the key and certificate go into `dir`. */
export async function startTokenServer(dir: string, opts: TokenServerOptions = {}): Promise<TokenServer> {
  const keyPath = path.join(dir, 'token.key');
  const certPath = path.join(dir, 'token.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=berth-test-token'], { stdio: 'ignore' });
  const key = createPrivateKey(readFileSync(keyPath));
  const x5c = readFileSync(certPath, 'utf8').replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const service = 'berth-test-registry';
  const issuer = 'berth-test-issuer';
  const requests: TokenRequestLog[] = [];
  const mint = (access: Access[], account = '') => signToken(key, x5c, { iss: issuer, sub: account, aud: service, access });

  const server = http.createServer((req, res) => {
    void handle(req, opts).then(({ status, account, granted, scopes, refresh }) => {
      requests.push({ method: req.method ?? '', scopes, account, granted });
      res.writeHead(status, { 'content-type': 'application/json' });
      if (status !== 200) res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] }));
      else res.end(JSON.stringify({ token: mint(granted, account), access_token: mint(granted, account), expires_in: 300, issued_at: new Date().toISOString(), ...(refresh && { refresh_token: refresh }) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    requests,
    mint,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Decision {
  status: number;
  account?: string;
  scopes: string[];
  granted: Access[];
  /** A refresh token for a user who asked for one (`offline_token=true`, as a login does). */
  refresh?: string;
}

async function handle(req: http.IncomingMessage, opts: TokenServerOptions): Promise<Decision> {
  const url = new URL(req.url ?? '/', 'http://x');
  let params = url.searchParams;
  if (req.method === 'POST') {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    params = new URLSearchParams(Buffer.concat(parts).toString());
  }
  const scopes = req.method === 'POST' ? (params.get('scope') ?? '').split(' ').filter(Boolean) : params.getAll('scope');
  const account = who(req, params, opts);
  if (account === null) return { status: 401, scopes, granted: [] };
  const granted = scopes
    .map(parseScope)
    .filter((a): a is Access => !!a)
    .map((a) => (account ? a : { ...a, actions: opts.anonymousPull ? a.actions.filter((x) => x === 'pull') : [] }))
    .filter((a) => a.actions.length > 0);
  let refresh: string | undefined;
  if (account && req.method === 'GET' && params.get('offline_token') === 'true') {
    refresh = `refresh-${randomUUID()}`;
    (opts.identityTokens ??= {})[refresh] = account; // usable from now on with POST grant_type=refresh_token
  }
  return { status: 200, account: account || undefined, scopes, granted, refresh };
}

/** The user behind a request: a name, '' for anonymous, null for wrong credentials. */
function who(req: http.IncomingMessage, params: URLSearchParams, opts: TokenServerOptions): string | null {
  if (req.method === 'POST') {
    const user = opts.identityTokens?.[params.get('refresh_token') ?? ''];
    return params.get('grant_type') === 'refresh_token' && user ? user : null;
  }
  const header = req.headers.authorization;
  if (!header) return '';
  const [user = '', pass = ''] = Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64').toString().split(/:(.*)/s);
  return opts.users?.[user] !== undefined && opts.users[user] === pass ? user : null;
}

function signToken(key: KeyObject, x5c: string, claims: { iss: string; sub: string; aud: string; access: Access[] }): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url({ typ: 'JWT', alg: 'RS256', x5c: [x5c] });
  const body = b64url({ ...claims, iat: now - 10, nbf: now - 10, exp: now + 300, jti: randomUUID() });
  const signature = sign('sha256', Buffer.from(`${header}.${body}`), key).toString('base64url');
  return `${header}.${body}.${signature}`;
}
