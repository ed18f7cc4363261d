/**
 * `docker login` as dockerd checks it (SystemAuth): GET /v2/ on the registry with the credentials,
 * through the challenge flow (Basic, or Bearer from the token server, asking for a refresh token
 * that is returned as the identity token). Nothing is stored: the client keeps the credentials.
 */
import { BerthError, unauthorized } from '../../../protocol/errdefs.js';
import { DEFAULT_DOMAIN } from '../../../protocol/reference.js';
import type { AuthConfig } from '../../../protocol/types/image.js';
import { DOCKER_HUB_REGISTRY } from './endpoints.js';
import { responseError } from './errors.js';
import { Session, type ClientContext } from './session.js';

/** What a login answers (the swagger's SystemAuthResponse). */
export interface LoginResult {
  Status: string;
  IdentityToken?: string;
}

/** The registry a login's server address names (`https://index.docker.io/v1/` and empty are docker.io). */
export function loginRegistry(serveraddress: string | undefined): string {
  const host = (serveraddress ?? '').trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (!host || ['index.docker.io', DOCKER_HUB_REGISTRY, DEFAULT_DOMAIN].includes(host.toLowerCase())) return DEFAULT_DOMAIN;
  return host;
}

/** Checks credentials against a registry; Unauthorized with dockerd's words when they are refused. */
export async function login(ctx: ClientContext, auth: AuthConfig, signal?: AbortSignal): Promise<LoginResult> {
  const registry = loginRegistry(auth.serveraddress);
  const session = new Session(ctx, { domain: registry, auth, scopes: [], useMirrors: false, offlineToken: true });
  return session.run(async (t) => {
    const url = t.url('/v2/');
    const res = await t.request({ method: 'GET', url: '/v2/', signal }).catch((err: unknown) => {
      // The token server refused the credentials: say that it was the login that failed.
      if (err instanceof BerthError && err.kind === 'Unauthorized') throw unauthorized(`login to ${registry} failed: ${err.message}`, err);
      throw err;
    });
    if (res.status === 401) throw unauthorized(`login attempt to ${url} failed with status: 401 Unauthorized`);
    if (res.status !== 200) throw responseError(`login attempt to ${url}`, res.status, res.body);
    return { Status: 'Login Succeeded', ...(t.auth.refreshToken && { IdentityToken: t.auth.refreshToken }) };
  });
}
