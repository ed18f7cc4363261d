/**
 * The bearer-token exchange of the distribution auth spec: GET <realm>?service=&scope= (with Basic
 * credentials when there are some, anonymous otherwise) or, for an identity token from a login,
 * POST <realm> with grant_type=refresh_token. Tokens are cached until shortly before they expire.
 */
import { createHash } from 'node:crypto';
import type { Got } from 'got';
import { cancelled, unauthorized } from '../../../protocol/errdefs.js';
import { basicAuthorization, type Challenge, type Credentials } from './auth.js';
import { networkError, responseError } from './errors.js';

/** A token server's answer (Docker's `token` and OAuth2's `access_token` are both in use). */
export interface TokenResponse {
  token?: string;
  access_token?: string;
  expires_in?: number;
  issued_at?: string;
  refresh_token?: string;
}

/** A bearer token and when to stop using it (ms since epoch). */
export interface Token {
  value: string;
  expiresAt: number;
  /** An OAuth refresh token, when one was asked for (a login's identity token). */
  refreshToken?: string;
}

/** The minimum lifetime the spec lets a client assume when expires_in is absent. */
const DEFAULT_LIFETIME_S = 60;

/** Tokens by realm, service, scopes and account, shared by every session of a client. */
export class TokenCache {
  private readonly tokens = new Map<string, Token>();
  private readonly pending = new Map<string, Promise<Token>>();

  /**
   * The key under which a token for these parameters is cached. It covers the whole credentials
   * (hashed), not just the account: a wrong password must never get the token a right one got.
   */
  static key(challenge: Challenge, scopes: readonly string[], credentials: Credentials, offline = false): string {
    const who = createHash('sha256').update(JSON.stringify([credentials.username, credentials.password, credentials.identityToken])).digest('hex');
    return [challenge.params.realm, challenge.params.service ?? '', [...scopes].sort().join(' '), who, offline ? 'offline' : ''].join('\n');
  }

  /** A cached, unexpired token, or a fetch of one that concurrent callers share. */
  async get(key: string, fetch: () => Promise<Token>, now = Date.now()): Promise<Token> {
    const hit = this.tokens.get(key);
    if (hit && hit.expiresAt > now) return hit;
    let p = this.pending.get(key);
    if (!p) {
      p = fetch().finally(() => this.pending.delete(key));
      this.pending.set(key, p);
      this.tokens.set(key, await p);
    }
    return p;
  }

  /** Forgets a token the registry refused. */
  drop(key: string): void {
    this.tokens.delete(key);
  }
}

/** What fetchToken needs besides the challenge. */
export interface TokenRequest {
  got: Got;
  challenge: Challenge;
  scopes: readonly string[];
  credentials: Credentials;
  tlsVerify: boolean;
  signal?: AbortSignal;
  /** Ask for a refresh token too (`offline_token=true`), as a login does to return an identity token. */
  offline?: boolean;
}

/** Asks the challenge's realm for a token with these scopes. */
export async function fetchToken(req: TokenRequest): Promise<Token> {
  const realm = new URL(req.challenge.params.realm ?? '');
  const service = req.challenge.params.service;
  const { username, password, identityToken } = req.credentials;
  const common = {
    throwHttpErrors: false,
    responseType: 'buffer' as const,
    https: { rejectUnauthorized: req.tlsVerify },
    signal: req.signal,
  };
  const started = Date.now();
  let res;
  try {
    if (identityToken) {
      const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: identityToken, client_id: 'berth', scope: req.scopes.join(' ') };
      if (service) form.service = service;
      res = await req.got.post(realm, { ...common, form });
    } else {
      const searchParams = new URLSearchParams();
      if (service) searchParams.set('service', service);
      for (const s of req.scopes) searchParams.append('scope', s);
      if (username) searchParams.set('account', username);
      if (req.offline) {
        searchParams.set('offline_token', 'true');
        searchParams.set('client_id', 'berth');
      }
      const headers: Record<string, string> = username ? { authorization: basicAuthorization(username, password) } : {};
      res = await req.got.get(realm, { ...common, searchParams, headers });
    }
  } catch (err) {
    if (req.signal?.aborted) throw cancelled(`token request to ${realm.host} cancelled`, err);
    throw networkError(realm.host, identityToken ? 'POST' : 'GET', realm.href, err);
  }
  const what = `getting a token for ${req.scopes.join(' ') || 'the registry'} from ${realm.host}`;
  if (res.statusCode !== 200) throw responseError(what, res.statusCode, res.rawBody);
  return parseToken(res.rawBody, started, what);
}

/** The token out of a token server's JSON answer. */
export function parseToken(body: Buffer, started: number, what: string): Token {
  let doc: TokenResponse;
  try {
    doc = JSON.parse(body.toString()) as TokenResponse;
  } catch {
    throw unauthorized(`${what}: the token server's answer is not JSON`);
  }
  const value = doc.token || doc.access_token;
  if (!value) throw unauthorized(`${what}: the token server's answer has no token`);
  const lifetime = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : DEFAULT_LIFETIME_S;
  // Local time from when we asked, not issued_at: the server's clock may be off from ours.
  const token: Token = { value, expiresAt: started + lifetime * 1000 * 0.9 };
  if (typeof doc.refresh_token === 'string' && doc.refresh_token) token.refreshToken = doc.refresh_token;
  return token;
}
