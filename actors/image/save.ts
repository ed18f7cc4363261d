import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assign, fromPromise, setup } from 'xstate';
import { invalidParameter, notFound } from '../../protocol/errdefs.js';
import { parseNormalizedNamed, referenceName, referenceString, withDefaultTag } from '../../protocol/reference.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { saveArchive, type SaveImage } from './save-archive.js';

/** Arguments of image.get (GET /images/{name}/get and GET /images/get?names=…): image names or IDs. */
export interface SaveArgs {
  names: string[];
}

declare module '../kernel/job.js' {
  interface Jobs {
    'image.get': JobType<SaveArgs, { images: number }>;
  }
}

interface Ctx {
  input: JobInput<SaveArgs>;
  images?: SaveImage[];
}

const ctxOf = (c: Ctx) => c.input.ctx as EngineContext;
const ID = /^(sha256:)?[0-9a-f]{1,64}$/;

/** A name without tag or digest (`busybox`): every tag of that repository is saved, as dockerd does. */
function bareRepository(name: string): string | undefined {
  try {
    const ref = parseNormalizedNamed(name);
    return ref.tag === undefined && ref.digest === undefined ? referenceName(ref) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which images go, under which tags: a tagged name saves its image under that tag, a bare repository
 * name every tag of it, an ID its image without tags. Anything missing fails before a byte is sent.
 */
export async function resolveSave(ctx: EngineContext, names: string[]): Promise<SaveImage[]> {
  if (!names.length) throw invalidParameter('image save: no image names given');
  const byId = new Map<string, SaveImage>();
  const add = async (name: string, tag?: string) => {
    const ex = await ctx.call('graph', 'exportable', [name]);
    const entry = byId.get(ex.image.id) ?? { ex, tags: [] };
    if (tag && !entry.tags.includes(tag)) entry.tags.push(tag);
    byId.set(ex.image.id, entry);
  };
  for (const name of names) {
    const repo = bareRepository(name);
    const tags = repo ? await ctx.call('graph', 'repositoryTags', [repo]) : [];
    for (const t of tags) await add(t.id, t.ref);
    if (tags.length) continue;
    const ref = tagOf(name);
    if (ref && !(await ctx.call('graph', 'resolveRef', [ref]))) throw notFound(`No such image: ${name}`);
    await add(name, ref);
  }
  return [...byId.values()];
}

/** The normalized tag reference a name is, if it is one (not an ID, not a digest reference). */
function tagOf(name: string): string | undefined {
  if (ID.test(name)) return undefined;
  try {
    const ref = withDefaultTag(parseNormalizedNamed(name));
    return ref.digest ? undefined : referenceString(ref);
  } catch {
    return undefined;
  }
}

/**
 * The save job (`docker save`): resolving (every name to its image, nothing sent yet, so a missing
 * image is a plain error response) → writing (the archive streams to the client) → done. One
 * `image save` event per image.
 */
export const saveMachine = setup({
  types: {} as { input: JobInput<SaveArgs>; context: Ctx; output: { images: number } },
  actors: {
    resolve: fromPromise(async ({ input: c }: { input: Ctx }) => resolveSave(ctxOf(c), c.input.args.names)),
    write: fromPromise(async ({ input: c }: { input: Ctx }) => {
      if (!c.input.stdout) throw invalidParameter('image save: nowhere to write the archive');
      const ctx = ctxOf(c);
      // The events go out once the last byte is written and before the response ends, so that a
      // client that saw the archive complete also finds the events.
      const archive = async function* () {
        yield* saveArchive(ctx, c.images!);
        for (const { ex } of c.images!) ctx.bus.publish('image.save', { id: ex.image.id, attributes: { name: ex.image.id } });
      };
      await pipeline(Readable.from(archive(), { objectMode: false }), c.input.stdout, { signal: c.input.signal });
    }),
  },
  actions: {
    fail: (_, params: { error: unknown }) => {
      throw params.error;
    },
  },
}).createMachine({
  id: 'image.get',
  context: ({ input }) => ({ input }),
  initial: 'resolving',
  states: {
    resolving: {
      invoke: {
        src: 'resolve',
        input: ({ context }) => context,
        onDone: { target: 'writing', actions: assign({ images: ({ event }) => event.output }) },
        onError: { actions: { type: 'fail', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    writing: {
      invoke: {
        src: 'write',
        input: ({ context }) => context,
        onDone: 'done',
        onError: { actions: { type: 'fail', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ images: context.images?.length ?? 0 }),
});

/** The image.get job. */
export const saveJob = defineJob('image.get', saveMachine, (a) => a.names.join(', '));
