import type { ServerResponse } from 'node:http';
import { invalidParameter } from '../../../../protocol/errdefs.js';
import { parseFilters } from '../../../../protocol/filters.js';
import type { ContainerUpdateRequest } from '../../../../protocol/types/container-ops.js';
import { CONTAINER_PRUNE_FILTERS } from '../../../container/prune.js';
import { commonHeaders, queryBool, readJson, sendJson, startStream } from '../http.js';
import type { Route } from '../router.js';
import type { ApiRequest } from '../types.js';
import { atoiQuery } from './exec.js';

function answer(res: ServerResponse, status: number): void {
  res.writeHead(status, { ...commonHeaders(), ...(status === 200 && { 'Content-Length': 0 }) });
  res.end();
}

/** A boolean query value with a default when absent (dockerd's BoolValueOrDefault). */
function queryBoolOr(q: URLSearchParams, name: string, fallback: boolean): boolean {
  return q.has(name) ? queryBool(q, name) : fallback;
}

async function containerPause(req: ApiRequest, res: ServerResponse): Promise<void> {
  await req.engine.job('container.pause', { ref: req.params.id! });
  answer(res, 204);
}

async function containerUnpause(req: ApiRequest, res: ServerResponse): Promise<void> {
  await req.engine.job('container.unpause', { ref: req.params.id! });
  answer(res, 204);
}

async function containerRename(req: ApiRequest, res: ServerResponse): Promise<void> {
  await req.engine.job('container.rename', { ref: req.params.id!, name: req.query.get('name') ?? '' });
  answer(res, 204);
}

async function containerResize(req: ApiRequest, res: ServerResponse): Promise<void> {
  const height = atoiQuery(req.query, 'h');
  const width = atoiQuery(req.query, 'w');
  await req.engine.job('container.resize', { ref: req.params.id!, height, width });
  answer(res, 200);
}

async function containerUpdate(req: ApiRequest, res: ServerResponse): Promise<void> {
  const update = (await readJson<ContainerUpdateRequest>(req.raw)) ?? {};
  sendJson(res, 200, await req.engine.job('container.update', { ref: req.params.id!, update }));
}

async function containerTop(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('container.top', { ref: req.params.id!, psArgs: req.query.get('ps_args') ?? '' }));
}

/** Samples as a stream of JSON documents; the headers go out with the first one, once the container is known. */
async function containerStats(req: ApiRequest, res: ServerResponse): Promise<void> {
  const stream = queryBoolOr(req.query, 'stream', true);
  const oneShot = queryBoolOr(req.query, 'one-shot', false);
  if (stream && oneShot) throw invalidParameter('cannot have stream=true and one-shot=true');
  const r = await req.engine.call('containers', 'find', [req.params.id!]);
  startStream(res);
  await req.engine.job('container.stats', { ref: r.Id, stream, oneShot }, { stdout: res, signal: req.signal });
  res.end();
}

async function containerPrune(req: ApiRequest, res: ServerResponse): Promise<void> {
  const filters = parseFilters(req.query.get('filters'), CONTAINER_PRUNE_FILTERS);
  sendJson(res, 200, await req.engine.job('container.prune', { filters }));
}

/** The container routes beyond the lifecycle ones, named after their operationIds. */
export const containerOpsRoutes: Route[] = [
  { method: 'POST', path: '/containers/{id}/pause', handler: containerPause },
  { method: 'POST', path: '/containers/{id}/unpause', handler: containerUnpause },
  { method: 'POST', path: '/containers/{id}/rename', handler: containerRename },
  { method: 'POST', path: '/containers/{id}/resize', handler: containerResize },
  { method: 'POST', path: '/containers/{id}/update', handler: containerUpdate },
  { method: 'GET', path: '/containers/{id}/top', handler: containerTop },
  { method: 'GET', path: '/containers/{id}/stats', handler: containerStats },
  { method: 'POST', path: '/containers/prune', handler: containerPrune },
];
