import { fromPromise } from 'xstate';
import { invalidParameter } from '../../protocol/errdefs.js';
import type { Filters } from '../../protocol/filters.js';
import { DEFAULT_DOMAIN } from '../../protocol/reference.js';
import type { AuthConfig, ImageSearchResponseItem } from '../../protocol/types/image.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';

/** Arguments of image.search (GET /images/search). */
export interface SearchArgs {
  term: string;
  limit?: number;
  filters: Filters;
  auth?: AuthConfig;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'image.search': JobType<SearchArgs, ImageSearchResponseItem[]>;
  }
}

/** The filter keys GET /images/search accepts (is-automated is deprecated but still accepted). */
export const SEARCH_FILTERS = ['is-automated', 'is-official', 'stars'] as const;

/**
 * Which registry a search term names, as dockerd splits it: a first component with a dot or a colon,
 * or `localhost`, is a registry (`127.0.0.1:5000/busy` searches that registry for `busy`); anything
 * else searches Docker Hub for the whole term.
 */
export function splitSearchTerm(term: string): { registry: string; term: string } {
  const slash = term.indexOf('/');
  const first = slash < 0 ? '' : term.slice(0, slash);
  if (!first || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return { registry: DEFAULT_DOMAIN, term };
  return { registry: first, term: term.slice(slash + 1) };
}

function boolFilter(f: Filters, key: string): boolean | undefined {
  const v = f.get(key)?.at(-1);
  if (v === undefined) return undefined;
  if (!['true', 'false', '1', '0'].includes(v)) throw invalidParameter(`invalid filter '${key}=${v}'`);
  return v === 'true' || v === '1';
}

/** The search filters (`stars`, `is-official`, `is-automated`) as a predicate; bad values are dockerd's errors. */
export function searchFilter(f: Filters): (r: ImageSearchResponseItem) => boolean {
  const stars = f.get('stars')?.map((v) => {
    if (!/^\d+$/.test(v)) throw invalidParameter(`invalid filter 'stars=${v}'`);
    return Number(v);
  });
  const official = boolFilter(f, 'is-official');
  const automated = boolFilter(f, 'is-automated');
  return (r) =>
    (stars ?? []).every((n) => r.star_count >= n) && (official === undefined || r.is_official === official) && (automated === undefined || r.is_automated === automated);
}

/**
 * image.search: Docker Hub's search for a bare term (unreachable from a sandbox: the error says
 * so), a registry's catalog for `registry/term`. dockerd's limit: 25 by default, 1 to 100.
 */
export const searchJob = defineJob(
  'image.search',
  fromPromise(async ({ input }: { input: JobInput<SearchArgs> }) => {
    const ctx = input.ctx as EngineContext;
    const { term, filters, auth } = input.args;
    if (!term) throw invalidParameter('search: a search term is required');
    const limit = input.args.limit || 25;
    if (limit < 1 || limit > 100) throw invalidParameter(`limit ${limit} is outside the range of [1, 100]`);
    const keep = searchFilter(filters);
    const where = splitSearchTerm(term);
    const found = await ctx.call('registry', 'search', [where.registry, where.term, { auth, limit, signal: input.signal }]);
    return found.filter(keep);
  }),
  (a) => a.term,
);
