import type { ServerResponse } from 'node:http';
import { invalidParameter } from '../../../../protocol/errdefs.js';
import type { ContainerPathStat } from '../../../../protocol/types/archive.js';
import { commonHeaders, queryBool } from '../http.js';
import type { Route } from '../router.js';
import type { ApiRequest } from '../types.js';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

/** The stat header: base64 of the JSON stat, as dockerd sends it. */
const statHeader = (s: ContainerPathStat) => Buffer.from(JSON.stringify(s)).toString('base64');

function archivePath(req: ApiRequest): string {
  const p = req.query.get('path');
  if (!p) throw invalidParameter('path cannot be empty');
  return p;
}

/** HEAD /containers/{id}/archive (ContainerArchiveInfo): the stat header, no body. */
async function containerArchiveInfo(req: ApiRequest, res: ServerResponse): Promise<void> {
  const stat = await req.engine.job('container.archive-stat', { ref: req.params.id!, path: archivePath(req) });
  res.writeHead(200, { ...commonHeaders(), [STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/json' });
  res.end();
}

/**
 * GET /containers/{id}/archive (ContainerArchive): the stat header, then the tar. The headers are set,
 * not sent: a failure before the first byte still goes out as the usual JSON error.
 */
async function containerArchive(req: ApiRequest, res: ServerResponse): Promise<void> {
  const args = { ref: req.params.id!, path: archivePath(req) };
  const stat = await req.engine.job('container.archive-stat', args);
  for (const [k, v] of Object.entries({ ...commonHeaders(), 'Content-Type': 'application/x-tar', [STAT_HEADER]: statHeader(stat) })) res.setHeader(k, v);
  await req.engine.job('container.archive', args, { stdout: res, signal: req.signal });
}

/** PUT /containers/{id}/archive (PutContainerArchive): the body's tar extracted into `path`. */
async function putContainerArchive(req: ApiRequest, res: ServerResponse): Promise<void> {
  const q = req.query;
  const args = { ref: req.params.id!, path: archivePath(req), noOverwriteDirNonDir: queryBool(q, 'noOverwriteDirNonDir'), copyUIDGID: queryBool(q, 'copyUIDGID') };
  await req.engine.job('container.extract', args, { stdin: req.raw, signal: req.signal });
  res.writeHead(200, commonHeaders());
  res.end();
}

/** The archive (`docker cp`), export, changes and commit routes, named after their operationIds. */
export const archiveRoutes: Route[] = [
  { method: 'HEAD', path: '/containers/{id}/archive', handler: containerArchiveInfo },
  { method: 'GET', path: '/containers/{id}/archive', handler: containerArchive },
  { method: 'PUT', path: '/containers/{id}/archive', handler: putContainerArchive },
];
