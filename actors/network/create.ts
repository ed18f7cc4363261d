/** network.create, network.delete and network.prune: user-defined bridge networks come and go. */
import { fromPromise } from 'xstate';
import type { CreateNetwork } from '../../drivers/network/driver.js';
import { forbidden, invalidParameter, notImplemented } from '../../protocol/errdefs.js';
import { labelsAllow, type Filters } from '../../protocol/filters.js';
import { parseUnixTimestamp } from '../../protocol/time.js';
import type { NetworkCreateRequest, NetworkCreateResponse, NetworkPruneResponse } from '../../protocol/types/networks.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { allNetworks, findNetwork } from './query.js';
import { isPredefined } from './view.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'network.create': JobType<{ body: NetworkCreateRequest }, NetworkCreateResponse>;
    'network.delete': JobType<{ ref: string }, void>;
    'network.prune': JobType<{ filters: Filters }, NetworkPruneResponse>;
  }
}

const ctxOf = (input: JobInput<unknown>) => input.ctx as EngineContext;
/** Drivers dockerd has that berth does not (yet): NotImplemented rather than "no such plugin". */
const DOCKER_DRIVERS = ['overlay', 'macvlan', 'ipvlan', 'host', 'null', 'none'];

/** The driver's request for a NetworkCreateRequest, refusing what a bridge network cannot be. */
export function createRequest(body: NetworkCreateRequest): CreateNetwork {
  const name = body.Name ?? '';
  if (!name) throw invalidParameter('network name cannot be empty');
  if (isPredefined(name)) throw forbidden(`operation is not permitted on predefined ${name} network `);
  const driver = body.Driver || 'bridge';
  if (DOCKER_DRIVERS.includes(driver)) throw notImplemented(`network driver ${driver} is not supported: berth creates bridge networks only`);
  if (driver !== 'bridge') throw invalidParameter(`plugin "${driver}" not found`);
  if (body.EnableIPv6) throw notImplemented(`network ${name}: IPv6 is not supported`);
  if (body.IPAM?.Driver && body.IPAM.Driver !== 'default') throw notImplemented(`IPAM driver ${body.IPAM.Driver} is not supported`);
  const pools = body.IPAM?.Config ?? [];
  if (pools.length > 1) throw notImplemented(`network ${name}: one IPv4 pool per network is supported, ${pools.length} were given`);
  const pool = pools[0] ?? {};
  if (!pool.Subnet && (pool.Gateway || pool.IPRange)) throw invalidParameter('invalid pool request: a gateway or an ip-range needs a subnet');
  return {
    name, internal: body.Internal ?? false, labels: body.Labels ?? {}, options: body.Options ?? {},
    ...(pool.Subnet && { subnet: pool.Subnet }), ...(pool.Gateway && { gateway: pool.Gateway }), ...(pool.IPRange && { ipRange: pool.IPRange }),
  };
}

/** Creates a network and announces it (the DNS service listens for `network.create`). */
async function create(ctx: EngineContext, body: NetworkCreateRequest): Promise<NetworkCreateResponse> {
  const rec = await ctx.call('network', 'createNetwork', [createRequest(body)]);
  ctx.bus.publish('network.create', { id: rec.Id, attributes: { name: rec.Name, type: 'bridge' } });
  return { Id: rec.Id, Warning: '' };
}

/** Removes a network: pre-defined ones are Forbidden, networks in use a Conflict (the driver's words). */
async function remove(ctx: EngineContext, ref: string): Promise<void> {
  const n = await findNetwork(ctx, ref);
  if (isPredefined(n.Name)) throw forbidden(`${n.Name} is a pre-defined network and cannot be removed`);
  await ctx.call('network', 'removeNetwork', [n.Id]);
  ctx.bus.publish('network.destroy', { id: n.Id, attributes: { name: n.Name, type: 'bridge' } });
}

/** Whether prune's `until` and `label` / `label!` filters let a network go. */
function prunable(n: { Created: string; Labels: Record<string, string> }, f: Filters): boolean {
  const until = f.get('until')?.[0];
  if (until !== undefined && BigInt(Date.parse(n.Created)) * 1_000_000n >= parseUnixTimestamp('until', until)) return false;
  if (!labelsAllow(f, n.Labels)) return false;
  return (f.get('label!') ?? []).every((w) => !labelsAllow(new Map([['label', [w]]]), n.Labels));
}

/** Removes every user network without endpoints that the filters select. */
async function prune(ctx: EngineContext, filters: Filters): Promise<NetworkPruneResponse> {
  const deleted: string[] = [];
  for (const n of await allNetworks(ctx)) {
    if (isPredefined(n.Name) || Object.keys(n.Containers).length > 0 || !prunable(n, filters)) continue;
    try {
      await remove(ctx, n.Id);
      deleted.push(n.Name);
    } catch (err) {
      // A container joined it meanwhile: dockerd skips such a network too.
      ctx.log.warn(`network prune ${n.Name}: ${(err as Error).message}`);
    }
  }
  ctx.bus.publish('network.prune', { id: '', attributes: { reclaimed: '0' } });
  return { NetworksDeleted: deleted };
}

/** network.create (POST /networks/create). */
export const networkCreateJob = defineJob(
  'network.create',
  fromPromise(async ({ input }: { input: JobInput<{ body: NetworkCreateRequest }> }) => create(ctxOf(input), input.args.body)),
  (a) => a.body.Name ?? '',
);

/** network.delete (DELETE /networks/{id}). */
export const networkDeleteJob = defineJob(
  'network.delete',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string }> }) => remove(ctxOf(input), input.args.ref)),
  (a) => a.ref,
);

/** network.prune (POST /networks/prune). */
export const networkPruneJob = defineJob(
  'network.prune',
  fromPromise(async ({ input }: { input: JobInput<{ filters: Filters }> }) => prune(ctxOf(input), input.args.filters)),
);
