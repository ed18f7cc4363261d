import type { ServerResponse } from 'node:http';
import { asBerthError, invalidParameter } from '../../../../protocol/errdefs.js';
import { parseFilters } from '../../../../protocol/filters.js';
import { ProgressWriter } from '../../../image/progress.js';
import { IMAGE_LIST_FILTERS } from '../../../services/graph/graph.js';
import { decodeRegistryAuth, parsePlatform } from '../../../services/registry/client.js';
import { commonHeaders, queryBool, sendJson, startStream } from '../http.js';
import type { Route } from '../router.js';
import type { ApiRequest } from '../types.js';

/**
 * POST /images/create: `fromImage` pulls, `fromSrc` imports. Both stream Docker's JSON progress; an
 * error after the stream started goes in-stream as `{"errorDetail":…,"error":…}`, as dockerd does.
 */
async function imageCreate(req: ApiRequest, res: ServerResponse): Promise<void> {
  const q = req.query;
  const image = q.get('fromImage');
  const src = q.get('fromSrc');
  if (!image && !src) throw invalidParameter('image create: fromImage or fromSrc is required');
  const auth = decodeRegistryAuth(req.raw.headers['x-registry-auth'] as string | undefined);
  const platform = q.get('platform') ? parsePlatform(q.get('platform')!) : undefined;
  const tag = q.get('tag') || undefined;
  startStream(res);
  const streams = { stdin: req.raw, stdout: res, signal: req.signal };
  try {
    if (image) await req.engine.job('image.pull', { image, tag, auth, platform }, streams);
    else await req.engine.job('image.import', { src: src!, repo: q.get('repo') || undefined, tag, message: q.get('message') || undefined, changes: q.getAll('changes') }, streams);
  } catch (err) {
    new ProgressWriter(res).error(asBerthError(err).message);
  }
  res.end();
}

async function imageList(req: ApiRequest, res: ServerResponse): Promise<void> {
  const filters = parseFilters(req.query.get('filters'), IMAGE_LIST_FILTERS);
  sendJson(res, 200, await req.engine.job('image.list', { all: queryBool(req.query, 'all'), filters }));
}

async function imageInspect(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('image.inspect', { name: req.params.name! }));
}

async function imageHistory(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('image.history', { name: req.params.name! }));
}

async function imageTag(req: ApiRequest, res: ServerResponse): Promise<void> {
  const repo = req.query.get('repo');
  if (!repo) throw invalidParameter('image tag: repo is required');
  await req.engine.job('image.tag', { name: req.params.name!, repo, tag: req.query.get('tag') || undefined });
  res.writeHead(201, { ...commonHeaders(), 'Content-Length': '0' });
  res.end();
}

async function imageDelete(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('image.delete', { name: req.params.name!, force: queryBool(req.query, 'force') }));
}

async function imagePrune(req: ApiRequest, res: ServerResponse): Promise<void> {
  const filters = parseFilters(req.query.get('filters'), ['dangling', 'label', 'label!', 'until']);
  sendJson(res, 200, await req.engine.job('image.prune', { filters }));
}

/** The image routes that read and edit the local store (pull, push, save and load have their own). */
export const imageRoutes: Route[] = [
  { method: 'POST', path: '/images/create', handler: imageCreate },
  { method: 'GET', path: '/images/json', handler: imageList },
  { method: 'POST', path: '/images/prune', handler: imagePrune },
  { method: 'GET', path: '/images/{name}/json', handler: imageInspect },
  { method: 'GET', path: '/images/{name}/history', handler: imageHistory },
  { method: 'POST', path: '/images/{name}/tag', handler: imageTag },
  { method: 'DELETE', path: '/images/{name}', handler: imageDelete },
];
