import type { ServerResponse } from 'node:http';
import { invalidParameter } from '../../../../protocol/errdefs.js';
import type { ContainerPathStat } from '../../../../protocol/types/archive.js';
import type { ContainerConfig } from '../../../../protocol/types/containers.js';
import { commonHeaders, queryBool, readJson, sendJson } from '../http.js';
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

/** GET /containers/{id}/export (ContainerExport): the rootfs as a tar. */
async function containerExport(req: ApiRequest, res: ServerResponse): Promise<void> {
  for (const [k, v] of Object.entries({ ...commonHeaders(), 'Content-Type': 'application/x-tar' })) res.setHeader(k, v);
  await req.engine.job('container.export', { ref: req.params.id! }, { stdout: res, signal: req.signal });
}

/** GET /containers/{id}/changes (ContainerChanges). */
async function containerChanges(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('container.changes', { ref: req.params.id! }));
}

/** POST /commit (ImageCommit): `pause` is true unless the client says otherwise, as in dockerd. */
async function imageCommit(req: ApiRequest, res: ServerResponse): Promise<void> {
  const q = req.query;
  const config = (await readJson<ContainerConfig | null>(req.raw)) ?? undefined;
  const opt = (k: string) => q.get(k) || undefined;
  const args = {
    ref: q.get('container') ?? '', repo: opt('repo'), tag: opt('tag'), comment: opt('comment'), author: opt('author'),
    changes: q.getAll('changes').filter(Boolean), pause: q.get('pause') === null || q.get('pause') === '' ? true : queryBool(q, 'pause'), config,
  };
  sendJson(res, 201, await req.engine.job('container.commit', args));
}

/** The archive (`docker cp`), export, changes and commit routes, named after their operationIds. */
export const archiveRoutes: Route[] = [
  { method: 'HEAD', path: '/containers/{id}/archive', handler: containerArchiveInfo },
  { method: 'GET', path: '/containers/{id}/archive', handler: containerArchive },
  { method: 'PUT', path: '/containers/{id}/archive', handler: putContainerArchive },
  { method: 'GET', path: '/containers/{id}/export', handler: containerExport },
  { method: 'GET', path: '/containers/{id}/changes', handler: containerChanges },
  { method: 'POST', path: '/commit', handler: imageCommit },
];
