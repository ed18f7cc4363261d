/**
 * network.connect and network.disconnect: a running container joins or leaves a network at once
 * (through the driver, into its process's namespace); a stopped one has it recorded in its
 * NetworkSettings.Networks, which the next start connects.
 */
import { fromPromise } from 'xstate';
import { forbidden, invalidParameter, kindOf, notFound } from '../../protocol/errdefs.js';
import type { EndpointConfig, Network } from '../../protocol/types/networks.js';
import type { EngineContext } from '../context.js';
import { joinNetwork, pendingEndpoint, refreshHosts, type StoredEndpoint } from '../container/network.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { emptyNetworkSettings, type ContainerRecord } from '../services/containers/record.js';
import { findNetwork } from './query.js';

/** Arguments of network.connect. */
export interface ConnectArgs {
  network: string;
  container: string;
  config?: EndpointConfig | null;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'network.connect': JobType<ConnectArgs, void>;
    'network.disconnect': JobType<{ network: string; container: string; force?: boolean }, void>;
  }
}

const ctxOf = (input: JobInput<unknown>) => input.ctx as EngineContext;

/** dockerd's refusals for containers and networks that cannot take another endpoint. */
function refuseConnect(r: ContainerRecord, n: Network): void {
  const mode = r.HostConfig.NetworkMode ?? 'default';
  if (mode === 'host' || n.Name === 'host') throw invalidParameter('container cannot be disconnected from host network or connected to host network');
  if (mode === 'none' || n.Name === 'none') throw invalidParameter('container cannot be connected to multiple networks with one of the networks in private (none) mode');
  if (mode.startsWith('container:')) throw invalidParameter('container sharing network namespace with another container or host cannot be connected to any other network');
  if (n.Name in r.NetworkSettings.Networks) throw forbidden(`endpoint with name ${r.Name.slice(1)} already exists in network ${n.Name}`);
}

async function connect(ctx: EngineContext, args: ConnectArgs): Promise<void> {
  if (!args.container) throw invalidParameter('network connect: Container is required');
  const n = await findNetwork(ctx, args.network);
  const r = await ctx.call('containers', 'find', [args.container]);
  refuseConnect(r, n);
  const cfg = args.config ?? {};
  const Networks = { ...(r.NetworkSettings.Networks as Record<string, StoredEndpoint>) };
  if (r.State.Running) {
    Networks[n.Name] = (await joinNetwork(ctx, r, n.Id, cfg, { pid: r.State.Pid })).settings;
    await refreshHosts(ctx, r);
  } else {
    Networks[n.Name] = pendingEndpoint(n.Id, cfg);
  }
  await ctx.call('containers', 'patch', [r.Id, { NetworkSettings: { ...r.NetworkSettings, Networks } }]);
}

/**
 * Deletes the endpoints on `n` of a container the daemon no longer knows, found by its name or id
 * (dockerd's forced disconnect: EndpointByName, then Delete(force)); NotFound when there is none.
 */
async function dropStale(ctx: EngineContext, n: Network, container: string): Promise<void> {
  const name = container.replace(/^\//, '');
  const stale = (await ctx.call('network', 'endpointsOf', [n.Id])).filter((e) => e.containerName === name || e.containerId === container);
  if (stale.length === 0) throw notFound(`No such container: ${container}`);
  for (const ep of stale) {
    await ctx.call('network', 'disconnect', [ep.containerId, n.Id]);
    ctx.bus.publish('network.disconnect', { id: n.Id, attributes: { container: ep.containerId, name: n.Name, type: 'bridge' } });
  }
}

/**
 * Takes a container off a network. With `force`, a container that no longer exists, or one the
 * network no longer has, is not an error as long as a stale endpoint of its name was there to delete.
 */
export async function disconnect(ctx: EngineContext, network: string, container: string, force: boolean): Promise<void> {
  const n = await findNetwork(ctx, network);
  const r = await ctx.call('containers', 'find', [container]).catch((e: unknown) => {
    if (force && kindOf(e) === 'NotFound') return null;
    throw e;
  });
  if (!r) return dropStale(ctx, n, container);
  const Networks = { ...(r.NetworkSettings.Networks as Record<string, StoredEndpoint>) };
  const live = (await ctx.call('network', 'endpointsOf', [n.Id])).some((e) => e.containerId === r.Id);
  if (!(n.Name in Networks) && !live) {
    if (force) return dropStale(ctx, n, r.Name);
    throw notFound(`container ${r.Id} is not connected to network ${n.Name}`);
  }
  if (r.HostConfig.NetworkMode === 'host') throw invalidParameter('container cannot be disconnected from host network or connected to host network');
  if (live) {
    await ctx.call('network', 'disconnect', [r.Id, n.Id]);
    ctx.bus.publish('network.disconnect', { id: n.Id, attributes: { container: r.Id, name: n.Name, type: 'bridge' } });
    if (r.State.Running) await refreshHosts(ctx, r);
  }
  delete Networks[n.Name];
  // The top-level fields are the default bridge's (as dockerd keeps them).
  const top = n.Name === 'bridge' ? { IPAddress: '', IPPrefixLen: 0, Gateway: '', MacAddress: '', Ports: {} } : {};
  await ctx.call('containers', 'patch', [r.Id, { NetworkSettings: { ...emptyNetworkSettings(), ...r.NetworkSettings, ...top, Networks } }]);
}

/** network.connect (POST /networks/{id}/connect). */
export const networkConnectJob = defineJob(
  'network.connect',
  fromPromise(async ({ input }: { input: JobInput<ConnectArgs> }) => connect(ctxOf(input), input.args)),
  (a) => `${a.network}, ${a.container}`,
);

/** network.disconnect (POST /networks/{id}/disconnect). */
export const networkDisconnectJob = defineJob(
  'network.disconnect',
  fromPromise(async ({ input }: { input: JobInput<{ network: string; container: string; force?: boolean }> }) =>
    disconnect(ctxOf(input), input.args.network, input.args.container, input.args.force ?? false)),
  (a) => `${a.network}, ${a.container}`,
);
