import type { ServerResponse } from 'node:http';
import { asBerthError } from '../../../../protocol/errdefs.js';
import { ProgressWriter } from '../../../image/progress.js';
import { decodeRegistryAuth } from '../../../services/registry/client.js';
import { decodePlatformJson } from '../../../services/registry/platform.js';
import { compareApiVersions } from '../../../../protocol/api.js';
import { invalidParameter } from '../../../../protocol/errdefs.js';
import { parseFilters } from '../../../../protocol/filters.js';
import type { AuthConfig } from '../../../../protocol/types/image.js';
import { SEARCH_FILTERS } from '../../../image/search.js';
import { commonHeaders, queryBool, queryInt, readJson, sendJson, startStream } from '../http.js';
import type { Route } from '../router.js';
import type { ApiRequest } from '../types.js';

/** The `X-Registry-Auth` of a request (anonymous when absent). */
const registryAuth = (req: ApiRequest) => decodeRegistryAuth(req.raw.headers['x-registry-auth'] as string | undefined);

/**
 * Runs a job that streams Docker's JSON progress: the stream starts at once, and an error after
 * that goes in-stream as `{"errorDetail":…,"error":…}`, as dockerd does.
 */
async function progressStream(req: ApiRequest, res: ServerResponse, run: () => Promise<unknown>): Promise<void> {
  startStream(res);
  try {
    await run();
  } catch (err) {
    new ProgressWriter(res).error(asBerthError(err).message);
  }
  res.end();
}

/**
 * POST /images/{name}/push: the tag from `tag` (a tag in the name is ignored, as the API says);
 * from API 1.46 a JSON `platform`, refused with a 400 before the stream when malformed.
 */
async function imagePush(req: ApiRequest, res: ServerResponse): Promise<void> {
  const json = compareApiVersions(req.version, '1.46') >= 0 ? req.query.get('platform') : null;
  const platform = json ? decodePlatformJson(json) : undefined;
  const args = { name: req.params.name!, tag: req.query.get('tag') || undefined, auth: registryAuth(req), platform };
  await progressStream(req, res, () => req.engine.job('image.push', args, { stdout: res, signal: req.signal }));
}

/**
 * Streams a `docker save` archive. The headers are set but not sent: when the job fails before the
 * first byte (a missing image), the usual JSON error goes out instead.
 */
async function saveArchive(req: ApiRequest, res: ServerResponse, names: string[]): Promise<void> {
  for (const [k, v] of Object.entries({ ...commonHeaders(), 'Content-Type': 'application/x-tar' })) res.setHeader(k, v);
  await req.engine.job('image.get', { names }, { stdout: res, signal: req.signal });
}

/** GET /images/{name}/get. */
async function imageGet(req: ApiRequest, res: ServerResponse): Promise<void> {
  await saveArchive(req, res, [req.params.name!]);
}

/** GET /images/get?names=…&names=…. */
async function imageGetAll(req: ApiRequest, res: ServerResponse): Promise<void> {
  await saveArchive(req, res, req.query.getAll('names'));
}

/** POST /images/load: the archive is the body; `{"stream":"Loaded image: …"}` lines and errors in the stream. */
async function imageLoad(req: ApiRequest, res: ServerResponse): Promise<void> {
  const args = { quiet: queryBool(req.query, 'quiet') };
  await progressStream(req, res, () => req.engine.job('image.load', args, { stdin: req.raw, stdout: res, signal: req.signal }));
}

/** GET /images/search. */
async function imageSearch(req: ApiRequest, res: ServerResponse): Promise<void> {
  const q = req.query;
  const args = { term: q.get('term') ?? '', limit: queryInt(q, 'limit'), filters: parseFilters(q.get('filters'), SEARCH_FILTERS), auth: registryAuth(req) };
  sendJson(res, 200, await req.engine.job('image.search', args, { signal: req.signal }));
}

/** POST /auth: the AuthConfig is the JSON body. */
async function systemAuth(req: ApiRequest, res: ServerResponse): Promise<void> {
  const body = await readJson<AuthConfig>(req.raw);
  if (!body || typeof body !== 'object') throw invalidParameter('auth: the request body must be an AuthConfig object');
  const auth = decodeRegistryAuth(Buffer.from(JSON.stringify(body)).toString('base64url')); // keeps only the known string fields
  sendJson(res, 200, await req.engine.job('system.auth', auth, { signal: req.signal }));
}

/** The routes that move images between berth and the outside: push, save, load, search, login. */
export const imageTransferRoutes: Route[] = [
  { method: 'POST', path: '/images/{name}/push', handler: imagePush },
  { method: 'GET', path: '/images/get', handler: imageGetAll },
  { method: 'GET', path: '/images/{name}/get', handler: imageGet },
  { method: 'POST', path: '/images/load', handler: imageLoad },
  { method: 'GET', path: '/images/search', handler: imageSearch },
  { method: 'POST', path: '/auth', handler: systemAuth },
];
