import { fromPromise } from 'xstate';
import { notImplemented, invalidParameter } from '../../protocol/errdefs.js';
import type { ImageConfigFile } from '../../protocol/types/image.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { sha256 } from '../services/graph/blobs.js';
import { ingestLayer } from '../services/graph/ingest.js';
import { normalizeRef } from '../services/graph/lookup.js';
import { goArch } from '../system/version.js';
import { applyChanges } from './changes.js';

/** Arguments of image.import (POST /images/create?fromSrc=-). */
export interface ImportArgs {
  /** `-`: the request body is the tarball. */
  src: string;
  repo?: string;
  tag?: string;
  message?: string;
  changes: string[];
}

declare module '../kernel/job.js' {
  interface Jobs {
    'image.import': JobType<ImportArgs, { id: string }>;
  }
}

/** The config of an image made of one imported layer. */
function importedConfig(diffId: string, args: ImportArgs, now: string): ImageConfigFile {
  return {
    created: now,
    architecture: goArch(process.arch),
    os: 'linux',
    config: applyChanges({}, args.changes),
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: now, created_by: '', comment: args.message || `Imported from ${args.src}` }],
  };
}

/**
 * Imports a filesystem tarball as a one-layer image (`docker import`): the layer is applied while the
 * body streams in, the config is stored, then image and tag are recorded in one step.
 */
export const importJob = defineJob(
  'image.import',
  fromPromise(async ({ input }: { input: JobInput<ImportArgs> }) => {
    const ctx = input.ctx as EngineContext;
    const { args } = input;
    if (args.src !== '-') throw notImplemented(`import from ${args.src}: only a tarball in the request body (fromSrc=-) is supported`);
    if (!input.stdin) throw invalidParameter('import: no tarball in the request body');
    const ref = args.repo ? normalizeRef(args.tag ? `${args.repo}:${args.tag}` : args.repo) : undefined;
    const layer = await ingestLayer(ctx, null, input.stdin);
    const bytes = Buffer.from(JSON.stringify(importedConfig(layer.diffId, args, new Date(ctx.clock.now()).toISOString())));
    const id = sha256(bytes);
    await ctx.call('graph', 'storeConfig', [id, bytes]);
    const image = { id, parent: '', chain: [layer.chainId], size: layer.size, created: new Date(ctx.clock.now()).toISOString(), repoDigests: [] };
    await ctx.call('graph', 'commit', [image, [layer], ref ? [ref] : []]);
    input.stdout?.write(`${JSON.stringify({ status: id })}\r\n`);
    ctx.bus.publish('image.import', { id, attributes: { name: ref ?? id } });
    return { id };
  }),
  (a) => `${a.src}${a.repo ? `, ${a.repo}${a.tag ? `:${a.tag}` : ''}` : ''}`,
);
