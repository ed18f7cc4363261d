import type { ServerResponse } from 'node:http';
import { invalidParameter } from '../../../../protocol/errdefs.js';
import { parseFilters } from '../../../../protocol/filters.js';
import type { NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest } from '../../../../protocol/types/networks.js';
import { NETWORK_LIST_FILTERS } from '../../../network/view.js';
import { commonHeaders, readJson, sendJson } from '../http.js';
import type { Route } from '../router.js';
import type { ApiRequest } from '../types.js';

/** dockerd answers connect and disconnect with 200 and no body. */
function ok(res: ServerResponse): void {
  res.writeHead(200, { ...commonHeaders(), 'Content-Length': '0' });
  res.end();
}

async function networkList(req: ApiRequest, res: ServerResponse): Promise<void> {
  const filters = parseFilters(req.query.get('filters'), NETWORK_LIST_FILTERS);
  sendJson(res, 200, await req.engine.job('network.list', { filters }));
}

async function networkInspect(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('network.inspect', { ref: req.params.id! }));
}

async function networkCreate(req: ApiRequest, res: ServerResponse): Promise<void> {
  const body = await readJson<NetworkCreateRequest>(req.raw);
  if (!body) throw invalidParameter('network create: a request body is required');
  sendJson(res, 201, await req.engine.job('network.create', { body }));
}

async function networkDelete(req: ApiRequest, res: ServerResponse): Promise<void> {
  await req.engine.job('network.delete', { ref: req.params.id! });
  res.writeHead(204, commonHeaders());
  res.end();
}

async function networkConnect(req: ApiRequest, res: ServerResponse): Promise<void> {
  const body = (await readJson<NetworkConnectRequest>(req.raw)) ?? {};
  await req.engine.job('network.connect', { network: req.params.id!, container: body.Container ?? '', config: body.EndpointConfig ?? null });
  ok(res);
}

async function networkDisconnect(req: ApiRequest, res: ServerResponse): Promise<void> {
  const body = (await readJson<NetworkDisconnectRequest>(req.raw)) ?? {};
  if (!body.Container) throw invalidParameter('network disconnect: Container is required');
  await req.engine.job('network.disconnect', { network: req.params.id!, container: body.Container, force: body.Force ?? false });
  ok(res);
}

async function networkPrune(req: ApiRequest, res: ServerResponse): Promise<void> {
  const filters = parseFilters(req.query.get('filters'), ['until', 'label', 'label!']);
  sendJson(res, 200, await req.engine.job('network.prune', { filters }));
}

/** The /networks routes (NetworkList … NetworkPrune). */
export const networkRoutes: Route[] = [
  { method: 'GET', path: '/networks', handler: networkList },
  { method: 'POST', path: '/networks/create', handler: networkCreate },
  { method: 'POST', path: '/networks/prune', handler: networkPrune },
  { method: 'GET', path: '/networks/{id}', handler: networkInspect },
  { method: 'DELETE', path: '/networks/{id}', handler: networkDelete },
  { method: 'POST', path: '/networks/{id}/connect', handler: networkConnect },
  { method: 'POST', path: '/networks/{id}/disconnect', handler: networkDisconnect },
];
