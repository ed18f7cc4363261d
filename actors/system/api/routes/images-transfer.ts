import type { ServerResponse } from 'node:http';
import { asBerthError } from '../../../../protocol/errdefs.js';
import { ProgressWriter } from '../../../image/progress.js';
import { decodeRegistryAuth } from '../../../services/registry/client.js';
import { startStream } from '../http.js';
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

/** POST /images/{name}/push: the tag from `tag` (a tag in the name is ignored, as the API says). */
async function imagePush(req: ApiRequest, res: ServerResponse): Promise<void> {
  const args = { name: req.params.name!, tag: req.query.get('tag') || undefined, auth: registryAuth(req) };
  await progressStream(req, res, () => req.engine.job('image.push', args, { stdout: res, signal: req.signal }));
}

/** The routes that move images between berth and the outside: push, save, load, search, login. */
export const imageTransferRoutes: Route[] = [{ method: 'POST', path: '/images/{name}/push', handler: imagePush }];
