/**
 * A registry's catalog (GET /v2/_catalog, paginated with `Link: <…>; rel="next"`), and search over it:
 * private registries do not implement Docker Hub's /v1/search, so `/images/search` on one lists the
 * catalog and keeps the repositories whose name contains the term.
 */
import { system } from '../../../protocol/errdefs.js';
import type { ImageSearchResponseItem } from '../../../protocol/types/image.js';
import { responseError } from './errors.js';
import type { Transport } from './transport.js';

/** Page size asked of the registry. */
const PAGE = 100;
/** A bound on pages, so that a registry looping its Link header cannot keep us forever. */
const MAX_PAGES = 1000;

/** The `next` target of a Link header, if any. */
export function nextLink(link: string | string[] | undefined): string | undefined {
  const values = Array.isArray(link) ? link : link ? [link] : [];
  for (const v of values) {
    for (const part of v.split(/,\s*(?=<)/)) {
      const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
      if (m && /\brel\s*=\s*"?next"?/i.test(m[2]!)) return m[1];
    }
  }
  return undefined;
}

/** Every repository name of the registry, in the registry's (lexical) order. */
export async function listCatalog(t: Transport, signal?: AbortSignal): Promise<string[]> {
  const names: string[] = [];
  let url: string | undefined = `/v2/_catalog?n=${PAGE}`;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const res = await t.request({ method: 'GET', url, signal });
    if (res.status !== 200) throw responseError(`listing the catalog of ${t.endpoint.registry}`, res.status, res.body);
    names.push(...parseCatalog(res.body, t.endpoint.registry));
    url = nextLink(res.headers.link);
  }
  return names;
}

function parseCatalog(body: Buffer, registry: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw system(`the catalog of ${registry} is not JSON`);
  }
  const repos = doc && typeof doc === 'object' && 'repositories' in doc ? doc.repositories : undefined;
  if (repos === null || repos === undefined) return [];
  if (!Array.isArray(repos) || !repos.every((r) => typeof r === 'string')) throw system(`the catalog of ${registry} has no list of repositories`);
  return repos;
}

/**
 * Search results in Docker's shape for the repositories whose name contains `term` (case-insensitive),
 * named `<registry>/<repo>` so that they can be pulled as printed. Docker's default limit is 25.
 */
export function searchCatalog(registry: string, names: readonly string[], term: string, limit = 25): ImageSearchResponseItem[] {
  const needle = term.toLowerCase();
  return names
    .filter((n) => n.toLowerCase().includes(needle))
    .slice(0, limit)
    .map((n) => ({ name: `${registry}/${n}`, description: '', star_count: 0, is_official: false, is_automated: false }));
}
