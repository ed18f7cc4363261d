import type { ServerResponse } from 'node:http';
import { parseFilters } from '../../../../protocol/filters.js';
import { parseUnixTimestamp } from '../../../../protocol/time.js';
import { EVENT_FILTERS } from '../../../services/events.js';
import { commonHeaders, sendJson, startStream } from '../http.js';
import type { Route } from '../router.js';
import type { ApiRequest } from '../types.js';

/** /_ping: what the docker CLI negotiates its API version from (headers on HEAD and GET alike). */
async function systemPing(req: ApiRequest, res: ServerResponse): Promise<void> {
  const body = req.method === 'HEAD' ? '' : 'OK';
  res.writeHead(200, {
    ...commonHeaders(),
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
  });
  res.end(body);
}

async function systemVersion(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('system.version', undefined));
}

async function systemInfo(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('system.info', undefined));
}

async function systemEvents(req: ApiRequest, res: ServerResponse): Promise<void> {
  const q = req.query;
  const args = {
    since: q.get('since') ? parseUnixTimestamp('since', q.get('since')!) : undefined,
    until: q.get('until') ? parseUnixTimestamp('until', q.get('until')!) : undefined,
    filters: parseFilters(q.get('filters'), EVENT_FILTERS),
  };
  startStream(res);
  await req.engine.job('system.events', args, { stdout: res, signal: req.signal });
  res.end();
}

/** The system routes, named after their operationIds. */
export const systemRoutes: Route[] = [
  { method: 'GET', path: '/_ping', handler: systemPing },
  { method: 'HEAD', path: '/_ping', handler: systemPing },
  { method: 'GET', path: '/version', handler: systemVersion },
  { method: 'GET', path: '/info', handler: systemInfo },
  { method: 'GET', path: '/events', handler: systemEvents },
];
