import { fromPromise } from 'xstate';
import { invalidParameter } from '../../protocol/errdefs.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { normalizeName } from '../services/containers/names.js';
import { containerAttributes } from './exec.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'container.rename': JobType<{ ref: string; name: string }, void>;
  }
}

/**
 * Renames a container, running or not, with dockerd's checks and words: both names given, a new name
 * that differs, is valid and is free (409 otherwise). The event carries the old name.
 */
export async function renameContainer(ctx: EngineContext, ref: string, name: string): Promise<void> {
  if (!ref || !name) throw invalidParameter('Neither old nor new names may be empty');
  const r = await ctx.call('containers', 'find', [ref]);
  const wanted = name.startsWith('/') ? name : `/${name}`;
  if (r.Name === wanted) throw invalidParameter('Renaming a container with the same name as its current name');
  try {
    normalizeName(wanted);
  } catch {
    throw invalidParameter(`Error when allocating new name: Invalid container name (${wanted}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  const next = await ctx.call('containers', 'rename', [r.Id, wanted]);
  ctx.bus.publish('container.rename', { id: r.Id, attributes: containerAttributes(next, { oldName: r.Name }) });
}

/** container.rename (POST /containers/{id}/rename). */
export const renameJob = defineJob(
  'container.rename',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string; name: string }> }) => renameContainer(input.ctx as EngineContext, input.args.ref, input.args.name)),
  (a) => `${a.ref}, ${a.name}`,
);
