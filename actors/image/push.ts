import { assign, fromPromise, setup } from 'xstate';
import { familiarString, withTag } from '../../protocol/reference.js';
import type { AuthConfig, Descriptor, Platform } from '../../protocol/types/image.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { ProgressWriter } from './progress.js';
import { planPush, pushLayers, pushManifest, type PushPlan, type PushResult } from './push-steps.js';

/** Arguments of image.push (POST /images/{name}/push). */
export interface PushArgs {
  /** The repository: `127.0.0.1:5000/busybox` (a tag in it is ignored, as dockerd does). */
  name: string;
  /** The tag to push; every tag of the repository when absent. */
  tag?: string;
  auth?: AuthConfig;
  /**
   * API 1.46+: push only if the image is of this platform. berth's store holds one platform per
   * image (as dockerd's without the containerd store), so this selects nothing: it checks.
   */
  platform?: Platform;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'image.push': JobType<PushArgs, { pushed: PushResult[] }>;
  }
}

interface Ctx {
  input: JobInput<PushArgs>;
  progress: ProgressWriter;
  plan?: PushPlan;
  /** The tag being pushed (index into plan.tags). */
  current: number;
  layers?: Descriptor[];
  pushed: PushResult[];
}

const ctxOf = (c: Ctx) => c.input.ctx as EngineContext;
const fail = { actions: { type: 'fail', params: ({ event }: { event: { error: unknown } }) => ({ error: event.error }) } } as const;

/**
 * The push job: resolving (which tags, which images, nothing sent) → uploading (the layers of one
 * tag: skipped, mounted or uploaded) → manifest (config blob, then the manifest under the tag) →
 * uploading the next tag, or done. Each phase is a state, so the actor stream shows where a push is;
 * a failure anywhere fails the job and the route puts the error in the stream.
 */
export const pushMachine = setup({
  types: {} as { input: JobInput<PushArgs>; context: Ctx; output: { pushed: PushResult[] } },
  actors: {
    plan: fromPromise(async ({ input: c }: { input: Ctx }) => planPush(ctxOf(c), c.input.args, c.progress)),
    upload: fromPromise(async ({ input: c }: { input: Ctx }) => pushLayers(ctxOf(c), c.plan!, c.plan!.tags[c.current]!, c.progress, c.input.signal)),
    manifest: fromPromise(async ({ input: c }: { input: Ctx }) =>
      pushManifest(ctxOf(c), c.plan!, c.plan!.tags[c.current]!, c.layers!, c.input.stdout, c.progress, c.input.signal),
    ),
  },
  actions: {
    fail: (_, params: { error: unknown }) => {
      throw params.error;
    },
    recorded: assign({ pushed: ({ context, event }) => [...context.pushed, (event as unknown as { output: PushResult }).output] }),
    // One `image push` event per tag, named as dockerd names it (the familiar reference).
    published: ({ context }, result: PushResult) => {
      const name = familiarString(withTag(context.plan!.ref, result.Tag));
      ctxOf(context).bus.publish('image.push', { id: name, attributes: { name } });
    },
  },
  guards: {
    moreTags: ({ context }) => context.current + 1 < context.plan!.tags.length,
  },
}).createMachine({
  id: 'image.push',
  context: ({ input }) => ({ input, progress: new ProgressWriter(input.stdout), current: 0, pushed: [] }),
  initial: 'resolving',
  states: {
    resolving: {
      invoke: { src: 'plan', input: ({ context }) => context, onDone: { target: 'uploading', actions: assign({ plan: ({ event }) => event.output }) }, onError: fail },
    },
    uploading: {
      invoke: { src: 'upload', input: ({ context }) => context, onDone: { target: 'manifest', actions: assign({ layers: ({ event }) => event.output }) }, onError: fail },
    },
    manifest: {
      invoke: {
        src: 'manifest',
        input: ({ context }) => context,
        onDone: [
          { guard: 'moreTags', target: 'uploading', actions: ['recorded', { type: 'published', params: ({ event }) => event.output }, assign({ current: ({ context }) => context.current + 1 })] },
          { target: 'done', actions: ['recorded', { type: 'published', params: ({ event }) => event.output }] },
        ],
        onError: fail,
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ pushed: context.pushed }),
});

/** The image.push job. */
export const pushJob = defineJob('image.push', pushMachine, (a) => `${a.name}${a.tag ? `:${a.tag}` : ''}`);
