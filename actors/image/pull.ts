import { assign, fromPromise, setup } from 'xstate';
import { parseNormalizedNamed, withTagOrDigest, familiarString, withDefaultTag, type Reference } from '../../protocol/reference.js';
import type { AuthConfig, Platform } from '../../protocol/types/image.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import type { LayerRecord } from '../services/graph/graphdb.js';
import { ProgressWriter } from './progress.js';
import { downloadLayers } from './pull-layers.js';
import { commitPull, planPull, type PullPlan } from './pull-steps.js';

/** Arguments of image.pull (POST /images/create?fromImage=…). */
export interface PullArgs {
  /** As given: `busybox`, `127.0.0.1:5000/x/y`, possibly with a tag or digest. */
  image: string;
  /** The `tag` query parameter: a tag or a digest. */
  tag?: string;
  auth?: AuthConfig;
  platform?: Platform;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'image.pull': JobType<PullArgs, { id: string; digest: string }>;
  }
}

interface Ctx {
  input: JobInput<PullArgs>;
  ref: Reference;
  progress: ProgressWriter;
  plan?: PullPlan;
  made?: LayerRecord[];
}

const ctxOf = (c: Ctx) => c.input.ctx as EngineContext;

/**
 * The pull job: resolving (manifest and config, nothing written) → downloading (missing layers,
 * streamed into the graph driver) → committing (the image and its tag in one GraphDB batch) → done.
 * Each phase is a state, so the actor stream shows where a pull is. A failure anywhere removes what
 * the pull made and fails the job; the stream gets the error in-stream from the route.
 */
export const pullMachine = setup({
  types: {} as { input: JobInput<PullArgs>; context: Ctx; output: { id: string; digest: string } },
  actors: {
    plan: fromPromise(async ({ input: c }: { input: Ctx }) => planPull(ctxOf(c), c.ref, { auth: c.input.args.auth, platform: c.input.args.platform, signal: c.input.signal }, c.progress)),
    download: fromPromise(async ({ input: c }: { input: Ctx }) => downloadLayers(ctxOf(c), c.plan!, c.progress, c.input.signal)),
    commit: fromPromise(async ({ input: c }: { input: Ctx }) => commitPull(ctxOf(c), c.plan!, c.made!)),
  },
  actions: {
    fail: (_, params: { error: unknown }) => {
      throw params.error;
    },
  },
}).createMachine({
  id: 'image.pull',
  context: ({ input }) => {
    const ref = withDefaultTag(withTagOrDigest(parseNormalizedNamed(input.args.image), input.args.tag));
    return { input, ref, progress: new ProgressWriter(input.stdout) };
  },
  initial: 'resolving',
  states: {
    resolving: {
      invoke: {
        src: 'plan', input: ({ context }) => context,
        onDone: { target: 'downloading', actions: assign({ plan: ({ event }) => event.output }) },
        onError: { actions: { type: 'fail', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    downloading: {
      invoke: {
        src: 'download', input: ({ context }) => context,
        onDone: { target: 'committing', actions: assign({ made: ({ event }) => event.output }) },
        onError: { actions: { type: 'fail', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    committing: {
      invoke: {
        src: 'commit', input: ({ context }) => context,
        onDone: {
          target: 'done',
          actions: ({ context, event }) => {
            const name = familiarString(context.ref);
            context.progress.status(`Digest: ${context.plan!.digest}`);
            context.progress.status(event.output ? `Status: Downloaded newer image for ${name}` : `Status: Image is up to date for ${name}`);
            ctxOf(context).bus.publish('image.pull', { id: name, attributes: { name } });
          },
        },
        onError: { actions: { type: 'fail', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ id: context.plan!.imageId, digest: context.plan!.digest }),
});

/** The image.pull job. */
export const pullJob = defineJob('image.pull', pullMachine, (a) => `${a.image}${a.tag ? `:${a.tag}` : ''}`);
