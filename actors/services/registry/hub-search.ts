/**
 * Search on Docker Hub: its index's v1 search API (`GET <index>/v1/search?q=&n=`), which dockerd
 * still uses; private registries have no such API and are searched by their catalog (catalog.ts).
 * When the index cannot be reached, the error reads as dockerd's: `Get "<url>": dial tcp: …`.
 */
import { system, unavailable } from '../../../protocol/errdefs.js';
import type { AuthConfig, ImageSearchResponseItem } from '../../../protocol/types/image.js';
import { basicAuthorization, credentialsOf } from './auth.js';
import { errorCode } from './errors.js';
import type { HttpPool } from './transport.js';

/** Docker Hub's index server. */
export const INDEX_SERVER = 'https://index.docker.io';

/** A failure to connect, in the words Go's net package uses (what dockerd's users know). */
export function dialError(err: unknown, host: string): string {
  const cause = (err as { cause?: unknown })?.cause ?? err;
  const code = errorCode(err) ?? errorCode(cause);
  const { address, port } = (cause ?? {}) as { address?: string; port?: number };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `dial tcp: lookup ${host}: no such host`;
  if (code === 'ECONNREFUSED') return `dial tcp ${address ?? host}${port ? `:${port}` : ''}: connect: connection refused`;
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT') return `dial tcp ${host}: i/o timeout`;
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH') return `dial tcp ${host}: connect: network is unreachable`;
  return err instanceof Error ? err.message : String(err);
}

/** Searches Docker Hub; Unavailable when its index cannot be reached. */
export async function searchHub(pool: HttpPool, term: string, limit: number, opts: { auth?: AuthConfig; signal?: AbortSignal; indexServer?: string } = {}): Promise<ImageSearchResponseItem[]> {
  const url = `${opts.indexServer ?? INDEX_SERVER}/v1/search?q=${encodeURIComponent(term)}&n=${limit}`;
  const { username, password } = credentialsOf(opts.auth);
  const headers: Record<string, string> = { 'x-docker-token': 'true', ...(username && { authorization: basicAuthorization(username, password) }) };
  let res;
  try {
    res = await pool.got(url, { headers, responseType: 'buffer', signal: opts.signal });
  } catch (err) {
    throw unavailable(`Get "${url}": ${dialError(err, new URL(url).hostname)}`, err);
  }
  if (res.statusCode !== 200) throw system(`Unexpected status code ${res.statusCode}`);
  try {
    const doc = JSON.parse(res.rawBody.toString('utf8')) as { results?: ImageSearchResponseItem[] };
    return (doc.results ?? []).map((r) => ({ name: r.name, description: r.description ?? '', star_count: r.star_count ?? 0, is_official: !!r.is_official, is_automated: !!r.is_automated }));
  } catch {
    throw system(`the search results of ${new URL(url).host} are not JSON`);
  }
}
