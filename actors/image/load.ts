import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { assign, fromPromise, setup } from 'xstate';
import { invalidParameter } from '../../protocol/errdefs.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { imageTmpDir } from '../services/graph/sweep.js';
import { commitLoaded, loadLayers, readItems, type Loaded } from './load-steps.js';
import { unpackArchive, type Unpacked } from './load-unpack.js';
import { ProgressWriter } from './progress.js';

/** Arguments of image.load (POST /images/load; the archive is the request body). */
export interface LoadArgs {
  /** No "Loading layer" progress, only the `Loaded image` lines. */
  quiet: boolean;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'image.load': JobType<LoadArgs, { ids: string[] }>;
  }
}

interface Ctx {
  input: JobInput<LoadArgs>;
  /** The staging directory (under the data root, so the start-up sweep removes what a crash left). */
  dir: string;
  unpacked?: Unpacked;
  loaded?: Loaded[];
  error?: unknown;
}

const ctxOf = (c: Ctx) => c.input.ctx as EngineContext;

/**
 * The load job (`docker load`): unpacking (the archive into a staging directory) → loading (its
 * layers applied through ingest, none recorded yet) → committing (images and tags, with the
 * `Loaded image` messages) → cleaning → done. A failure before committing removes every layer the
 * load made, so a broken archive leaves nothing; the staging directory goes either way.
 */
export const loadMachine = setup({
  types: {} as { input: JobInput<LoadArgs>; context: Ctx; output: { ids: string[] } },
  actors: {
    unpack: fromPromise(async ({ input: c }: { input: Ctx }) => {
      if (!c.input.stdin) throw invalidParameter('load: no archive in the request body');
      return unpackArchive(c.input.stdin, c.dir, c.input.signal);
    }),
    load: fromPromise(async ({ input: c }: { input: Ctx }) => {
      const progress = new ProgressWriter(c.input.args.quiet ? undefined : c.input.stdout);
      return loadLayers(ctxOf(c), await readItems(c.unpacked!), progress);
    }),
    commit: fromPromise(async ({ input: c }: { input: Ctx }) => commitLoaded(ctxOf(c), c.loaded!, c.input.stdout)),
    clean: fromPromise(async ({ input: c }: { input: Ctx }) => fsp.rm(c.dir, { recursive: true, force: true })),
  },
  actions: {
    remember: assign({ error: ({ event }) => (event as unknown as { error: unknown }).error }),
    fail: (_, params: { error: unknown }) => {
      throw params.error;
    },
  },
}).createMachine({
  id: 'image.load',
  context: ({ input }) => ({ input, dir: path.join(imageTmpDir((input.ctx as EngineContext).config.dataRoot), `load-${randomBytes(8).toString('hex')}`) }),
  initial: 'unpacking',
  states: {
    unpacking: {
      invoke: { src: 'unpack', input: ({ context }) => context, onDone: { target: 'loading', actions: assign({ unpacked: ({ event }) => event.output }) }, onError: { target: 'failing', actions: 'remember' } },
    },
    loading: {
      invoke: { src: 'load', input: ({ context }) => context, onDone: { target: 'committing', actions: assign({ loaded: ({ event }) => event.output }) }, onError: { target: 'failing', actions: 'remember' } },
    },
    committing: {
      invoke: { src: 'commit', input: ({ context }) => context, onDone: 'cleaning', onError: { target: 'failing', actions: 'remember' } },
    },
    cleaning: {
      invoke: { src: 'clean', input: ({ context }) => context, onDone: 'done', onError: 'done' },
    },
    failing: {
      invoke: {
        src: 'clean',
        input: ({ context }) => context,
        onDone: { actions: { type: 'fail', params: ({ context }) => ({ error: context.error }) } },
        onError: { actions: { type: 'fail', params: ({ context }) => ({ error: context.error }) } },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ ids: (context.loaded ?? []).map((l) => l.image.id) }),
});

/** The image.load job. */
export const loadJob = defineJob('image.load', loadMachine, (a) => (a.quiet ? 'quiet' : ''));
