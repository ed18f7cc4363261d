/**
 * The WWW-Authenticate flow for one registry endpoint and one set of scopes: a request goes out with
 * whatever authorization is known; a 401 teaches the challenge (Bearer: fetch a token for our scopes
 * from its realm; Basic: send the credentials), and the request is tried once more.
 */
import type { Got } from 'got';
import { basicAuthorization, parseChallenges, pickChallenge, type Challenge, type Credentials } from './auth.js';
import { fetchToken, TokenCache } from './token.js';

/** What an Authorizer shares with the rest of the client. */
export interface AuthorizerDeps {
  got: Got;
  tokens: TokenCache;
  tlsVerify: boolean;
}

/** Authorization for the requests of one session (endpoint + credentials + scopes). */
export class Authorizer {
  private challenge?: Challenge;
  private readonly scopes = new Set<string>();
  /** The refresh token the token server gave with the last token, when asked for one (`offline`). */
  refreshToken?: string;

  constructor(
    private readonly deps: AuthorizerDeps,
    private readonly credentials: Credentials,
    scopes: readonly string[],
    private readonly offline = false,
  ) {
    for (const s of scopes) this.scopes.add(s);
  }

  /** Widens the scopes (a cross-repository mount needs pull on the source); the next token covers them. */
  addScopes(more: readonly string[]): void {
    for (const s of more) this.scopes.add(s);
  }

  /** The Authorization header for the next request, or undefined to go anonymous. */
  async authorization(signal?: AbortSignal): Promise<string | undefined> {
    const { registryToken, username, password } = this.credentials;
    if (registryToken) return `Bearer ${registryToken}`;
    const c = this.challenge;
    if (!c) return undefined;
    if (c.scheme === 'basic') return username ? basicAuthorization(username, password) : undefined;
    const scopes = [...this.scopes];
    const key = TokenCache.key(c, scopes, this.credentials, this.offline);
    const token = await this.deps.tokens.get(key, () =>
      fetchToken({ got: this.deps.got, challenge: c, scopes, credentials: this.credentials, tlsVerify: this.deps.tlsVerify, signal, offline: this.offline }),
    );
    this.refreshToken = token.refreshToken ?? this.refreshToken;
    return `Bearer ${token.value}`;
  }

  /**
   * Learns from a 401's WWW-Authenticate. True when trying again can succeed: a Bearer challenge
   * (a fresh token is fetched, with any scope the challenge names), or Basic when we have a username
   * and the refused request did not carry it (`sent` is the Authorization it carried: several
   * requests may have gone out anonymously at once, and each deserves its retry). False leaves the
   * 401 to the caller.
   */
  challenged(header: string | string[] | undefined, sent?: string): boolean {
    if (this.credentials.registryToken) return false;
    const next = pickChallenge(parseChallenges(header));
    if (!next) return false;
    const previous = this.challenge;
    this.challenge = next;
    const { username, password } = this.credentials;
    if (next.scheme === 'basic') return !!username && sent !== basicAuthorization(username, password);
    if (previous?.scheme === 'bearer' && sent?.startsWith('Bearer ')) {
      // The token we sent was refused (expired, or revoked): never hand it out again. (A request
      // that went out anonymously, before the challenge was known, says nothing about the token.)
      this.deps.tokens.drop(TokenCache.key(previous, [...this.scopes], this.credentials, this.offline));
    }
    if (next.params.scope) this.addScopes(next.params.scope.split(' '));
    return true;
  }

  /** Whether the registry asked for Bearer tokens (for tests and diagnostics). */
  get scheme(): string | undefined {
    return this.challenge?.scheme;
  }
}
