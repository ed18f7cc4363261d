import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fromPromise } from 'xstate';
import { forbidden, invalidParameter } from '../../protocol/errdefs.js';
import type { ContainerPathStat } from '../../protocol/types/archive.js';
import { defaultFileOps } from '../../drivers/graph/native.js';
import type { EngineContext } from '../context.js';
import type { ResourceEvent } from '../kernel/bus.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { containerFs, hostPath, mountOf, statPath, type ContainerFs } from './archive-path.js';
import { extractInto } from './archive-put.js';
import { archiveTar } from './archive-tar.js';
import { resolveUser } from './user.js';

/** Arguments of PUT /containers/{id}/archive. */
export interface ExtractArgs {
  ref: string;
  path: string;
  noOverwriteDirNonDir: boolean;
  copyUIDGID: boolean;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'container.archive-stat': JobType<{ ref: string; path: string }, ContainerPathStat>;
    'container.archive': JobType<{ ref: string; path: string }, void>;
    'container.extract': JobType<ExtractArgs, void>;
  }
}

declare module '../kernel/bus.js' {
  interface Topics {
    'container.archive-path': ResourceEvent;
    'container.extract-to-dir': ResourceEvent;
  }
}

/**
 * Runs `fn` on a container's mounted filesystem: the writable layer is taken (mounted when stopped,
 * shared when running) for the call and released after, however it ends.
 */
export async function withContainerFs<T>(ctx: EngineContext, ref: string, fn: (fs: ContainerFs, r: ContainerRecord) => Promise<T>): Promise<T> {
  const r = await ctx.call('containers', 'find', [ref]);
  const rootfs = await ctx.call('graphdriver', 'get', [r.rwLayer]);
  try {
    return await fn(containerFs(r, rootfs), r);
  } finally {
    await ctx.call('graphdriver', 'put', [r.rwLayer]);
  }
}

const publish = (ctx: EngineContext, topic: 'container.archive-path' | 'container.extract-to-dir', r: ContainerRecord) =>
  ctx.bus.publish(topic, { id: r.Id, attributes: { name: r.Name.slice(1), image: r.Config.Image ?? '' } });

/** container.archive-stat (HEAD /containers/{id}/archive): the path's stat, 404 when missing. */
export const archiveStatJob = defineJob(
  'container.archive-stat',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string; path: string }> }) => {
    const { ref, path: p } = input.args;
    return withContainerFs(input.ctx as EngineContext, ref, async (fs) => (await statPath(fs, p, ref)).stat);
  }),
  (a) => `${a.ref}, ${a.path}`,
);

/** container.archive (GET /containers/{id}/archive): a tar of the path written to stdout. */
export const archiveJob = defineJob(
  'container.archive',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string; path: string }> }) => {
    const ctx = input.ctx as EngineContext;
    const { ref, path: p } = input.args;
    await withContainerFs(ctx, ref, async (fs, r) => {
      const { parts, stat } = await statPath(fs, p, ref);
      publish(ctx, 'container.archive-path', r);
      await pipeline(archiveTar(fs, parts, stat.name === '/' ? '.' : stat.name), input.stdout!, ...(input.signal ? [{ signal: input.signal }] : []));
    });
  }),
  (a) => `${a.ref}, ${a.path}`,
);

/** Where a copy may write: not into a read-only volume, not onto a read-only rootfs (dockerd's 403s). */
function checkWritable(fs: ContainerFs, r: ContainerRecord, parts: string[]): void {
  const m = mountOf(fs, parts);
  if (m && !m.rw) throw forbidden('mounted volume is marked read-only');
  if (!m && r.HostConfig.ReadonlyRootfs) throw forbidden('container rootfs is marked read-only');
}

/**
 * The host directory to extract into, checked once more just before use: a running container could
 * have swapped a component for a symlink since the in-scope resolution.
 */
async function extractRoot(fs: ContainerFs, parts: string[]): Promise<string> {
  const m = mountOf(fs, parts);
  const rel = parts.slice(m?.dst.length ?? 0);
  const expected = path.join(await realpath(m?.src ?? fs.rootfs), ...rel);
  if ((await realpath(hostPath(fs, parts))) !== expected) throw invalidParameter(`extract to /${parts.join('/')}: the path changed while it was resolved`);
  return expected;
}

/** container.extract (PUT /containers/{id}/archive): the request's tar extracted into a directory. */
export const extractJob = defineJob(
  'container.extract',
  fromPromise(async ({ input }: { input: JobInput<ExtractArgs> }) => {
    const ctx = input.ctx as EngineContext;
    const a = input.args;
    if (!input.stdin) throw invalidParameter('extract archive: no tar in the request body');
    await withContainerFs(ctx, a.ref, async (fs, r) => {
      const { parts, st } = await statPath(fs, a.path, a.ref);
      if (!st.isDirectory()) throw invalidParameter('extraction point is not a directory');
      checkWritable(fs, r, parts);
      const owner = a.copyUIDGID ? resolveUser(fs.rootfs, r.Config.User ?? '') : null;
      await extractInto(await extractRoot(fs, parts), input.stdin!, { noOverwriteDirNonDir: a.noOverwriteDirNonDir, owner, ops: defaultFileOps() });
      publish(ctx, 'container.extract-to-dir', r);
    });
  }),
  (a) => `${a.ref}, ${a.path}`,
);
