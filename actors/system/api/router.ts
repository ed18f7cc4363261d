import { API_VERSION, MIN_API_VERSION, compareApiVersions } from '../../../protocol/api.js';
import { invalidParameter, notFound } from '../../../protocol/errdefs.js';
import type { ApiHandler } from './types.js';

/** One route: method, a path pattern with `{param}` parts, and its handler. */
export interface Route {
  method: string;
  path: string;
  handler: ApiHandler;
}

interface Compiled extends Route {
  regex: RegExp;
  keys: string[];
}

/** A matched route. */
export interface Match {
  handler: ApiHandler;
  params: Record<string, string>;
  /** The API version the client asked for (from the `/v1.xx` prefix; the newest when unprefixed). */
  version: string;
}

const VERSIONED = /^\/v(\d+\.\d+)(\/.*)$/;

function compile(r: Route): Compiled {
  const keys: string[] = [];
  const source = r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, k: string) => {
    keys.push(k);
    // `name` may hold slashes (image names like 127.0.0.1:5000/busybox), as in moby's `{name:.*}`.
    return k === 'name' ? '(.+?)' : '([^/]+)';
  });
  return { ...r, regex: new RegExp(`^${source}/?$`), keys };
}

/**
 * Splits the version prefix off a path. Versions above ours or below the minimum are refused with
 * dockerd's messages.
 */
export function splitVersion(path: string): { version: string; path: string } {
  const m = VERSIONED.exec(path);
  if (!m) return { version: API_VERSION, path };
  const version = m[1]!;
  if (compareApiVersions(version, API_VERSION) > 0) {
    throw invalidParameter(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
  }
  if (compareApiVersions(version, MIN_API_VERSION) < 0) {
    throw invalidParameter(
      `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  }
  return { version, path: m[2]! };
}

/** The route table: method + path → handler, after moby's api/server/router. */
export class Router {
  private readonly routes: Compiled[] = [];

  /** Adds routes. */
  add(...routes: Route[]): this {
    for (const r of routes) this.routes.push(compile(r));
    return this;
  }

  /** Finds the handler for a request; NotFound (Docker's "page not found") when there is none. */
  match(method: string, rawPath: string): Match {
    const { version, path } = splitVersion(rawPath);
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
      return { handler: r.handler, params, version };
    }
    throw notFound('page not found');
  }
}
