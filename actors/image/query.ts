import { fromPromise } from 'xstate';
import type { Filters } from '../../protocol/filters.js';
import type { HistoryResponseItem, ImageDeleteResponseItem, ImageInspect, ImagePruneResponse, ImageSummary } from '../../protocol/types/images-api.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'image.list': JobType<{ all: boolean; filters: Filters }, ImageSummary[]>;
    'image.inspect': JobType<{ name: string }, ImageInspect>;
    'image.history': JobType<{ name: string }, HistoryResponseItem[]>;
    'image.tag': JobType<{ name: string; repo: string; tag?: string }, void>;
    'image.delete': JobType<{ name: string; force: boolean }, ImageDeleteResponseItem[]>;
    'image.prune': JobType<{ filters: Filters }, ImagePruneResponse>;
  }
}

// These jobs are one call each to the graph service: they live together because a file per
// one-line job would be all boilerplate; jobs with a life of their own (pull, push, load) have theirs.
const ctxOf = (input: JobInput<unknown>) => input.ctx as EngineContext;

/** image.list (GET /images/json). */
export const imageListJob = defineJob(
  'image.list',
  fromPromise(async ({ input }: { input: JobInput<{ all: boolean; filters: Filters }> }) => ctxOf(input).call('graph', 'list', [input.args])),
);

/** image.inspect (GET /images/{name}/json). */
export const imageInspectJob = defineJob(
  'image.inspect',
  fromPromise(async ({ input }: { input: JobInput<{ name: string }> }) => ctxOf(input).call('graph', 'inspect', [input.args.name])),
  (a) => a.name,
);

/** image.history (GET /images/{name}/history). */
export const imageHistoryJob = defineJob(
  'image.history',
  fromPromise(async ({ input }: { input: JobInput<{ name: string }> }) => ctxOf(input).call('graph', 'history', [input.args.name])),
  (a) => a.name,
);

/** image.tag (POST /images/{name}/tag); publishes the `image tag` event. */
export const imageTagJob = defineJob(
  'image.tag',
  fromPromise(async ({ input }: { input: JobInput<{ name: string; repo: string; tag?: string }> }) => {
    const { name, repo, tag } = input.args;
    const ctx = ctxOf(input);
    await ctx.call('graph', 'tag', [name, repo, tag]);
    const { Id } = await ctx.call('graph', 'inspect', [name]);
    ctx.bus.publish('image.tag', { id: Id, attributes: { name: tag ? `${repo}:${tag}` : repo } });
  }),
  (a) => `${a.name}, ${a.repo}${a.tag ? `:${a.tag}` : ''}`,
);

/** image.delete (DELETE /images/{name}); publishes `untag` and `delete` events as dockerd does. */
export const imageDeleteJob = defineJob(
  'image.delete',
  fromPromise(async ({ input }: { input: JobInput<{ name: string; force: boolean }> }) => {
    const ctx = ctxOf(input);
    const items = await ctx.call('graph', 'remove', [input.args.name, { force: input.args.force }]);
    publishDeletes(ctx, items);
    return items;
  }),
  (a) => a.name,
);

/** image.prune (POST /images/prune). */
export const imagePruneJob = defineJob(
  'image.prune',
  fromPromise(async ({ input }: { input: JobInput<{ filters: Filters }> }) => {
    const ctx = ctxOf(input);
    const r = await ctx.call('graph', 'prune', [input.args.filters]);
    publishDeletes(ctx, r.ImagesDeleted ?? []);
    ctx.bus.publish('image.prune', { id: '', attributes: { reclaimed: String(r.SpaceReclaimed) } });
    return r;
  }),
);

function publishDeletes(ctx: EngineContext, items: ImageDeleteResponseItem[]): void {
  for (const i of items) {
    if (i.Untagged) ctx.bus.publish('image.untag', { id: i.Untagged, attributes: { name: i.Untagged } });
    if (i.Deleted) ctx.bus.publish('image.delete', { id: i.Deleted, attributes: { name: i.Deleted } });
  }
}
