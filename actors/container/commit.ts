import { fromPromise } from 'xstate';
import { conflict } from '../../protocol/errdefs.js';
import { BERTH_VERSION } from '../../protocol/api.js';
import type { ContainerConfig } from '../../protocol/types/containers.js';
import type { ImageConfig, ImageConfigFile } from '../../protocol/types/image.js';
import { exportChanges } from '../../drivers/graph/export.js';
import { defaultFileOps } from '../../drivers/graph/native.js';
import type { EngineContext } from '../context.js';
import type { ResourceEvent } from '../kernel/bus.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { applyChanges } from '../image/changes.js';
import { sha256 } from '../services/graph/blobs.js';
import type { ExportableImage } from '../services/graph/graph.js';
import type { LayerRecord } from '../services/graph/graphdb.js';
import { ingestLayer } from '../services/graph/ingest.js';
import { normalizeRef } from '../services/graph/lookup.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { withContainerFs } from './archive.js';
import { containerChanges } from './changes.js';
import { pauseContainer, unpauseContainer } from './pause.js';

/** Arguments of container.commit (POST /commit). */
export interface CommitArgs {
  ref: string;
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Dockerfile instructions applied to the new config (`--change`). */
  changes: string[];
  pause: boolean;
  /** The request body: config fields that replace the container's. */
  config?: ContainerConfig;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'container.commit': JobType<CommitArgs, { Id: string }>;
  }
}

declare module '../kernel/bus.js' {
  interface Topics {
    'container.commit': ResourceEvent;
  }
}

/** The new image's config: the container's (with the request's fields over it), nulls dropped, `--change`s applied. */
function imageConfig(r: ContainerRecord, a: CommitArgs): ImageConfig {
  const merged: Record<string, unknown> = { ...r.Config, ...(a.config ?? {}), Image: r.Image };
  for (const [k, v] of Object.entries(merged)) if (v === null || v === undefined) delete merged[k];
  return applyChanges(merged as ImageConfig, a.changes);
}

/** The config file of the committed image: the base's rootfs and history plus one step. */
function configFile(base: ImageConfigFile, r: ContainerRecord, a: CommitArgs, diffId: string | null, now: string): ImageConfigFile {
  const step = { created: now, ...(a.author && { author: a.author }), created_by: [r.Path, ...r.Args].join(' '), ...(a.comment && { comment: a.comment }), ...(!diffId && { empty_layer: true }) };
  return {
    architecture: base.architecture, os: base.os, ...(base.variant && { variant: base.variant }),
    config: imageConfig(r, a), container: r.Id, created: now, docker_version: BERTH_VERSION, ...(a.author && { author: a.author }), ...(a.comment && { comment: a.comment }),
    rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, ...(diffId ? [diffId] : [])] },
    history: [...(base.history ?? []), step],
  };
}

/**
 * The container's writable layer as a new layer on its image's chain (none when nothing changed,
 * as dockerd records an empty layer), diffed from the mounted rootfs without the runtime's paths.
 */
async function commitLayer(ctx: EngineContext, r: ContainerRecord, top: LayerRecord | null): Promise<LayerRecord | null> {
  return withContainerFs(ctx, r.Id, async (fs) => {
    const changes = await containerChanges(ctx, r);
    return changes.length ? ingestLayer(ctx, top, exportChanges(defaultFileOps(), fs.rootfs, changes)) : null;
  });
}

/** Records the image (config blob, image, tag); the new layer is discarded when that fails. */
async function record(ctx: EngineContext, base: ExportableImage, r: ContainerRecord, a: CommitArgs, layer: LayerRecord | null): Promise<string> {
  const now = new Date(ctx.clock.now()).toISOString();
  const bytes = Buffer.from(JSON.stringify(configFile(JSON.parse(base.config.toString('utf8')) as ImageConfigFile, r, a, layer?.diffId ?? null, now)));
  const id = sha256(bytes);
  const chain = [...base.image.chain, ...(layer ? [layer.chainId] : [])];
  const refs = a.repo ? [normalizeRef(a.tag ? `${a.repo}:${a.tag}` : a.repo)] : [];
  try {
    await ctx.call('graph', 'storeConfig', [id, bytes]);
    await ctx.call('graph', 'commit', [{ id, parent: r.Image, chain, size: base.image.size + (layer?.size ?? 0), created: now, repoDigests: [] }, layer ? [layer] : [], refs]);
  } catch (err) {
    if (layer) await ctx.call('graph', 'discardLayers', [[layer.cacheId]]).catch(() => undefined);
    throw err;
  }
  ctx.bus.publish('container.commit', { id: r.Id, attributes: { name: r.Name.slice(1), imageID: id, imageRef: refs[0] ?? '', comment: a.comment ?? '' } });
  return id;
}

/** Pauses a running container around `fn` when asked (dockerd's default), so the copy is consistent. */
async function paused<T>(ctx: EngineContext, r: ContainerRecord, pause: boolean, fn: () => Promise<T>): Promise<T> {
  if (!pause || r.State.Status !== 'running') return fn();
  await pauseContainer(ctx, r.Id);
  try {
    return await fn();
  } finally {
    await unpauseContainer(ctx, r.Id).catch((err: Error) => ctx.log.error(`commit: unpause ${r.Id.slice(0, 12)}: ${err.message}`));
  }
}

/**
 * container.commit (POST /commit): a new image whose parent is the container's image, with the
 * container's changes as one more layer and its config (plus `--change`s) as the image config.
 */
export const commitJob = defineJob(
  'container.commit',
  fromPromise(async ({ input }: { input: JobInput<CommitArgs> }) => {
    const ctx = input.ctx as EngineContext;
    const a = input.args;
    const r = await ctx.call('containers', 'find', [a.ref]);
    if (r.State.Status === 'removing' || r.State.Status === 'dead') throw conflict(`You cannot commit container ${r.Id} which is being removed or is dead`);
    imageConfig(r, a); // a bad --change fails before any work
    const base = await ctx.call('graph', 'exportable', [r.Image]);
    const top = base.layers.at(-1) ?? null;
    const layer = await paused(ctx, r, a.pause, () => commitLayer(ctx, r, top));
    return { Id: await record(ctx, base, r, a, layer) };
  }),
  (a) => `${a.ref}${a.repo ? `, ${a.repo}${a.tag ? `:${a.tag}` : ''}` : ''}`,
);
