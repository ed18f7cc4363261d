/**
 * The pieces of registry authentication that are pure data: WWW-Authenticate challenges (RFC 7235),
 * the `X-Registry-Auth` header Docker clients send, and token scopes. The flow that uses them is in
 * authorizer.ts, the token server exchange in token.ts.
 */
import { invalidParameter } from '../../../protocol/errdefs.js';
import type { AuthConfig } from '../../../protocol/types/image.js';

/** One challenge: its scheme lowercased (`bearer`, `basic`) and its parameters (names lowercased). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Credentials for one registry, from X-Registry-Auth. */
export interface Credentials {
  username?: string;
  password?: string;
  /** OAuth refresh token from a login; exchanged at the token server (grant_type=refresh_token). */
  identityToken?: string;
  /** A ready bearer token, sent to the registry as is. */
  registryToken?: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/**
 * Parses WWW-Authenticate values. One header may hold several challenges
 * (`Bearer realm="a",service="b", Basic realm="c"`) and a response may repeat the header.
 */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  return values.flatMap(parseOneHeader);
}

function parseOneHeader(value: string): Challenge[] {
  const out: Challenge[] = [];
  let rest = value.trim();
  while (rest.length > 0) {
    const scheme = TOKEN.exec(rest)?.[0];
    if (!scheme) break;
    rest = rest.slice(scheme.length);
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    rest = parseParams(rest, challenge.params);
  }
  return out;
}

/** Reads `k=v, k="v"` pairs into params; stops (returning the rest) at the next scheme. */
function parseParams(input: string, params: Record<string, string>): string {
  let rest = input.replace(/^[\s,]+/, '');
  for (;;) {
    const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*/.exec(rest);
    if (!m) return rest;
    rest = rest.slice(m[0].length);
    let val: string;
    if (rest.startsWith('"')) {
      const q = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
      val = (q?.[1] ?? rest.slice(1)).replace(/\\(.)/g, '$1');
      rest = q ? rest.slice(q[0].length) : '';
    } else {
      // Strictly a token; real servers also send URLs unquoted, so take anything up to a comma.
      val = /^[^,\s]*/.exec(rest)?.[0] ?? '';
      rest = rest.slice(val.length);
    }
    params[m[1]!.toLowerCase()] = val;
    rest = rest.replace(/^[\s,]+/, '');
  }
}

/**
 * Decodes `X-Registry-Auth`: base64url (padded or not; plain base64 is accepted too) of a JSON
 * AuthConfig. Absent or empty means anonymous; anything undecodable is InvalidParameter, as in
 * dockerd, rather than silently pulling without the credentials the user gave.
 */
export function decodeRegistryAuth(header: string | undefined): AuthConfig {
  if (!header || header.trim() === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(header.trim(), 'base64url').toString('utf8'));
  } catch (err) {
    throw invalidParameter('invalid X-Registry-Auth header: not base64url-encoded JSON', err);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw invalidParameter('invalid X-Registry-Auth header: not a JSON object');
  }
  const out: AuthConfig = {};
  const fields = ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const;
  for (const f of fields) {
    const v: unknown = (doc as Record<string, unknown>)[f];
    if (typeof v === 'string' && v !== '') out[f] = v;
  }
  return out;
}

/** The header value a client sends for an AuthConfig (base64url of its JSON). */
export function encodeRegistryAuth(cfg: AuthConfig): string {
  return Buffer.from(JSON.stringify(cfg)).toString('base64url');
}

/** Credentials from an AuthConfig; `auth` (base64 `user:pass`) fills username/password when they are absent. */
export function credentialsOf(cfg: AuthConfig | undefined): Credentials {
  if (!cfg) return {};
  const c: Credentials = {};
  let { username, password } = cfg;
  if (!username && cfg.auth) {
    const plain = Buffer.from(cfg.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon > 0) [username, password] = [plain.slice(0, colon), plain.slice(colon + 1)];
  }
  if (username) c.username = username;
  if (password !== undefined) c.password = password;
  if (cfg.identitytoken) c.identityToken = cfg.identitytoken;
  if (cfg.registrytoken) c.registryToken = cfg.registrytoken;
  return c;
}

/** `Basic <base64(user:pass)>`. */
export function basicAuthorization(username: string, password = ''): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** The actions a token can grant on a repository. */
export type RepositoryAction = 'pull' | 'push' | 'delete';

/** A token scope for a repository: `repository:library/busybox:pull,push`. */
export function repositoryScope(name: string, actions: readonly RepositoryAction[]): string {
  return `repository:${name}:${actions.join(',')}`;
}

/** The scope GET /v2/_catalog needs. */
export const CATALOG_SCOPE = 'registry:catalog:*';

/** The challenge a client should answer: Bearer when offered (it carries scopes), else Basic. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer' && c.params.realm) ?? challenges.find((c) => c.scheme === 'basic');
}
