/** network.list and network.inspect: reads of the driver's records, shaped as dockerd shows them. */
import { fromPromise } from 'xstate';
import { notFound } from '../../protocol/errdefs.js';
import type { Filters } from '../../protocol/filters.js';
import type { Network } from '../../protocol/types/networks.js';
import type { EngineContext } from '../context.js';
import type { ResourceEvent } from '../kernel/bus.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { builtinNetworks, networkMatches, toNetwork } from './view.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'network.list': JobType<{ filters: Filters }, Network[]>;
    'network.inspect': JobType<{ ref: string }, Network>;
  }
}

declare module '../kernel/bus.js' {
  interface Topics {
    'network.create': ResourceEvent;
    'network.connect': ResourceEvent;
    'network.disconnect': ResourceEvent;
    'network.destroy': ResourceEvent;
    'network.prune': ResourceEvent;
  }
}

const ctxOf = (input: JobInput<unknown>) => input.ctx as EngineContext;

/** Every network: the driver's bridges, then `host` and `none`. */
export async function allNetworks(ctx: EngineContext): Promise<Network[]> {
  const endpoints = await ctx.call('network', 'endpointsOf', []);
  const bridges = (await ctx.call('network', 'list', [])).map((r) => toNetwork(r, endpoints));
  return [...bridges, ...builtinNetworks(ctx.engineId)];
}

/** A network by full id, name or unique id prefix (dockerd's order); NotFound in dockerd's words. */
export async function findNetwork(ctx: EngineContext, ref: string): Promise<Network> {
  const all = await allNetworks(ctx);
  const hit = all.find((n) => n.Id === ref) ?? all.find((n) => n.Name === ref);
  if (hit) return hit;
  const byPrefix = ref.length > 0 ? all.filter((n) => n.Id.startsWith(ref)) : [];
  if (byPrefix.length === 1) return byPrefix[0]!;
  if (byPrefix.length > 1) throw notFound(`network ${ref} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
  throw notFound(`network ${ref} not found`);
}

/** network.list (GET /networks): Containers left empty, as dockerd does since API 1.28. */
export const networkListJob = defineJob(
  'network.list',
  fromPromise(async ({ input }: { input: JobInput<{ filters: Filters }> }) => {
    const all = await allNetworks(ctxOf(input));
    return all.filter((n) => networkMatches(n, input.args.filters)).map((n) => ({ ...n, Containers: {} }));
  }),
);

/** network.inspect (GET /networks/{id}). */
export const networkInspectJob = defineJob(
  'network.inspect',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string }> }) => findNetwork(ctxOf(input), input.args.ref)),
  (a) => a.ref,
);
