import type { ServerResponse } from 'node:http';
import { parseFilters } from '../../../../protocol/filters.js';
import type { VolumeCreateOptions } from '../../../../protocol/types/volumes.js';
import { VOLUME_LIST_FILTERS, VOLUME_PRUNE_FILTERS } from '../../../services/volumes/volumes.js';
import { commonHeaders, queryBool, readJson, sendJson } from '../http.js';
import type { Route } from '../router.js';
import type { ApiRequest } from '../types.js';

async function volumeCreate(req: ApiRequest, res: ServerResponse): Promise<void> {
  const body = (await readJson<VolumeCreateOptions>(req.raw)) ?? {};
  sendJson(res, 201, await req.engine.job('volume.create', body));
}

async function volumeList(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('volume.list', { filters: parseFilters(req.query.get('filters'), VOLUME_LIST_FILTERS) }));
}

async function volumeInspect(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('volume.inspect', { name: req.params.name! }));
}

async function volumeDelete(req: ApiRequest, res: ServerResponse): Promise<void> {
  await req.engine.job('volume.delete', { name: req.params.name!, force: queryBool(req.query, 'force') });
  res.writeHead(204, commonHeaders());
  res.end();
}

async function volumePrune(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('volume.prune', { filters: parseFilters(req.query.get('filters'), VOLUME_PRUNE_FILTERS) }));
}

/** The volume routes, named after their operationIds. */
export const volumeRoutes: Route[] = [
  { method: 'POST', path: '/volumes/create', handler: volumeCreate },
  { method: 'GET', path: '/volumes', handler: volumeList },
  { method: 'POST', path: '/volumes/prune', handler: volumePrune },
  { method: 'GET', path: '/volumes/{name}', handler: volumeInspect },
  { method: 'DELETE', path: '/volumes/{name}', handler: volumeDelete },
];
