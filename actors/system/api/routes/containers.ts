import type { ServerResponse } from 'node:http';
import { invalidParameter, kindOf, notImplemented } from '../../../../protocol/errdefs.js';
import { parseFilters } from '../../../../protocol/filters.js';
import type { ContainerCreateRequest } from '../../../../protocol/types/containers.js';
import { CONTAINER_LIST_FILTERS } from '../../../container/query.js';
import type { WaitCondition } from '../../../container/wait.js';
import { parseUnixTimestamp } from '../../../../protocol/time.js';
import { commonHeaders, hijack, queryBool, queryInt, readJson, sendJson, startStream } from '../http.js';
import type { Route } from '../router.js';
import type { ApiRequest } from '../types.js';

function noContent(res: ServerResponse, status = 204): void {
  res.writeHead(status, { ...commonHeaders() });
  res.end();
}

async function containerCreate(req: ApiRequest, res: ServerResponse): Promise<void> {
  const body = await readJson<ContainerCreateRequest>(req.raw);
  if (!body) throw invalidParameter('Config cannot be empty in order to create a container');
  sendJson(res, 201, await req.engine.job('container.create', { name: req.query.get('name') || undefined, body }));
}

async function containerStart(req: ApiRequest, res: ServerResponse): Promise<void> {
  try {
    await req.engine.job('container.start', { ref: req.params.id! });
  } catch (err) {
    if (kindOf(err) === 'NotModified') return noContent(res, 304);
    throw err;
  }
  noContent(res);
}

async function containerStop(req: ApiRequest, res: ServerResponse): Promise<void> {
  try {
    await req.engine.job('container.stop', { ref: req.params.id!, timeout: queryInt(req.query, 't'), signal: req.query.get('signal') || undefined });
  } catch (err) {
    if (kindOf(err) === 'NotModified') return noContent(res, 304);
    throw err;
  }
  noContent(res);
}

async function containerRestart(req: ApiRequest, res: ServerResponse): Promise<void> {
  await req.engine.job('container.restart', { ref: req.params.id!, timeout: queryInt(req.query, 't'), signal: req.query.get('signal') || undefined });
  noContent(res);
}

async function containerKill(req: ApiRequest, res: ServerResponse): Promise<void> {
  await req.engine.job('container.kill', { ref: req.params.id!, signal: req.query.get('signal') || undefined });
  noContent(res);
}

/** Headers go out at once and the body when the container is done, as dockerd does (clients wait on the body). */
async function containerWait(req: ApiRequest, res: ServerResponse): Promise<void> {
  const condition = (req.query.get('condition') || 'not-running') as WaitCondition;
  await req.engine.call('containers', 'find', [req.params.id!]);
  startStream(res);
  const r = await req.engine.job('container.wait', { ref: req.params.id!, condition }, { signal: req.signal }).catch((err: unknown) => ({ StatusCode: -1, Error: { Message: (err as Error).message } }));
  res.end(JSON.stringify(r));
}

async function containerDelete(req: ApiRequest, res: ServerResponse): Promise<void> {
  await req.engine.job('container.delete', { ref: req.params.id!, force: queryBool(req.query, 'force'), volumes: queryBool(req.query, 'v') });
  noContent(res);
}

async function containerInspect(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('container.inspect', { ref: req.params.id! }));
}

async function containerList(req: ApiRequest, res: ServerResponse): Promise<void> {
  const filters = parseFilters(req.query.get('filters'), CONTAINER_LIST_FILTERS);
  sendJson(res, 200, await req.engine.job('container.list', { all: queryBool(req.query, 'all'), limit: queryInt(req.query, 'limit'), filters }));
}

async function containerAttach(req: ApiRequest, res: ServerResponse): Promise<void> {
  const q = req.query;
  const r = await req.engine.call('containers', 'find', [req.params.id!]);
  const h = hijack(res, req.socket, !r.Config.Tty);
  const args = { ref: r.Id, stdin: queryBool(q, 'stdin'), stdout: queryBool(q, 'stdout'), stderr: queryBool(q, 'stderr'), stream: queryBool(q, 'stream'), logs: queryBool(q, 'logs'), detachKeys: q.get('detachKeys') || undefined };
  await req.engine.job('container.attach', args, { stdout: h.out, ...(h.input && { stdin: h.input }), signal: req.signal }).catch((err: Error) => req.engine.log.debug(`attach ${r.Id.slice(0, 12)}: ${err.message}`));
  h.out.end();
}

async function containerLogs(req: ApiRequest, res: ServerResponse): Promise<void> {
  const q = req.query;
  const stdout = queryBool(q, 'stdout');
  const stderr = queryBool(q, 'stderr');
  if (!stdout && !stderr) throw invalidParameter('Bad parameters: you must choose at least one stream');
  const tail = q.get('tail');
  if (tail && tail !== 'all' && !/^\d+$/.test(tail)) throw invalidParameter(`invalid value for tail: ${JSON.stringify(tail)}`);
  const r = await req.engine.call('containers', 'find', [req.params.id!]);
  const args = {
    ref: r.Id, stdout, stderr, follow: queryBool(q, 'follow'), timestamps: queryBool(q, 'timestamps'),
    tail: tail && tail !== 'all' ? Number(tail) : undefined,
    since: q.get('since') && q.get('since') !== '0' ? parseUnixTimestamp('since', q.get('since')!) : undefined,
    until: q.get('until') && q.get('until') !== '0' ? parseUnixTimestamp('until', q.get('until')!) : undefined,
  };
  // Before the stream starts, so the refusal is a plain 501 as dockerd's.
  if (r.HostConfig.LogConfig?.Type === 'none') throw notImplemented('configured logging driver does not support reading');
  startStream(res, r.Config.Tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
  await req.engine.job('container.logs', args, { stdout: res, signal: req.signal });
  res.end();
}

/** The container lifecycle routes, named after their operationIds. */
export const containerRoutes: Route[] = [
  { method: 'POST', path: '/containers/create', handler: containerCreate },
  { method: 'GET', path: '/containers/json', handler: containerList },
  { method: 'GET', path: '/containers/{id}/json', handler: containerInspect },
  { method: 'POST', path: '/containers/{id}/start', handler: containerStart },
  { method: 'POST', path: '/containers/{id}/stop', handler: containerStop },
  { method: 'POST', path: '/containers/{id}/restart', handler: containerRestart },
  { method: 'POST', path: '/containers/{id}/kill', handler: containerKill },
  { method: 'POST', path: '/containers/{id}/wait', handler: containerWait },
  { method: 'DELETE', path: '/containers/{id}', handler: containerDelete },
  { method: 'POST', path: '/containers/{id}/attach', handler: containerAttach },
  { method: 'GET', path: '/containers/{id}/logs', handler: containerLogs },
];
