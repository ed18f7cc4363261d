import { fromPromise } from 'xstate';
import { asBerthError, conflict } from '../../protocol/errdefs.js';
import type { OciSpec } from '../../drivers/exec/spec.js';
import { connectNetwork, disconnectNetworks, networkOf } from './network.js';
import type { NetworkSettings } from '../../protocol/types/containers.js';
import type { Sandbox } from '../../drivers/network/backend.js';
import type { ContainerState as RuntimeState, ExecPaths } from '../../drivers/exec/backend.js';
import { containerCgroup, createCgroup, destroyCgroup, warmCgroupAttach } from '../../drivers/exec/resources.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { allSettledOrFirstError } from '../../drivers/settle.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { commandFailure } from './exec-failure.js';
import { containerPaths, writeEtcFiles, type ContainerPaths } from './files.js';
import { buildSpec } from './spec.js';
import { resolveUser } from './user.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'container.start': JobType<{ ref: string }, { id: string; pid: number }>;
  }
}

const execPaths = (p: ContainerPaths): ExecPaths => ({ bundle: p.bundle, state: p.state, log: p.log });

/** containerd's prefix of a failed start, before runc's words. */
const START_FAILED = 'failed to create task for container: ';

/** The exit code dockerd records for a start that failed other than by its command (exitUnknown). */
const START_EXIT_OTHER = 128;

/** The container joins the network namespace at `path` instead of making its own. */
function useNetns(spec: OciSpec, path: string): void {
  spec.linux!.namespaces = spec.linux!.namespaces!.map((n) => (n.type === 'network' ? { type: 'network', path } : n));
}

/** `--network container:<x>`: the container joins x's network namespace (x must be running). */
function joinNetns(spec: OciSpec, other: ContainerRecord): void {
  if (!other.State.Running) throw conflict(`cannot join network of a non running container: ${other.Id}`);
  useNetns(spec, `/proc/${other.State.Pid}/ns/net`);
}

/**
 * A container on a network gets its namespace from the network driver (a sandbox, as libnetwork
 * calls it), made while the rest of the start is prepared; null for none, host and container:<x>.
 */
function sandboxFor(ctx: EngineContext, r: ContainerRecord): Promise<Sandbox> | null {
  if (!networkOf(r.HostConfig.NetworkMode)) return null;
  const making = ctx.call('network', 'sandbox', []);
  making.catch(() => undefined); // a failure reaches whoever awaits it, or nobody if the start fails first
  return making;
}

/** Lets go of the sandbox once the init has joined it (or the start failed). */
async function closeSandbox(ctx: EngineContext, making: Promise<Sandbox>): Promise<void> {
  const sandbox = await making.catch(() => null);
  if (sandbox) await ctx.call('network', 'closeSandbox', [sandbox]);
}

/**
 * Has the runtime create the container while its network is plugged in: the runtime's init joins
 * the sandbox, and the veths go into it meanwhile instead of after. Both are waited for before a
 * failure goes out, so the unwind never races an endpoint still being made.
 */
async function createAndConnect(ctx: EngineContext, r: ContainerRecord, spec: OciSpec, p: ContainerPaths, making: Promise<Sandbox> | null): Promise<{ created: RuntimeState; net: NetworkSettings }> {
  const ownNetns = spec.linux?.namespaces?.some((n) => n.type === 'network' && !n.path);
  // In a user namespace the init could not join a namespace the daemon's user owns: it makes its own.
  const userns = spec.linux?.namespaces?.some((n) => n.type === 'user');
  const sandbox = making && ownNetns && !userns ? await making : null;
  if (sandbox) useNetns(spec, sandbox.path);
  const creating = ctx.ask<RuntimeState>('execdriver', { type: 'exec.create', id: r.Id, spec, paths: execPaths(p) });
  const connecting = sandbox ? connectNetwork(ctx, r, { path: sandbox.path }) : creating.then((c) => connectNetwork(ctx, r, { pid: c.pid }));
  const [created, net] = await allSettledOrFirstError([creating, connecting]);
  return { created, net };
}

/** Undoes a start that failed half-way: the runtime's container, the cgroup, the rootfs mount. */
async function unwind(ctx: EngineContext, r: ContainerRecord, cgroup: boolean, err: unknown): Promise<never> {
  await disconnectNetworks(ctx, r.Id);
  await ctx.ask('execdriver', { type: 'exec.kill', id: r.Id, signal: 'SIGKILL' }).catch(() => undefined);
  await ctx.ask('execdriver', { type: 'exec.clean', id: r.Id }).catch(() => undefined);
  if (cgroup) {
    try {
      destroyCgroup(containerCgroup(r.Id));
    } catch {
      // already gone
    }
  }
  await ctx.call('graphdriver', 'put', [r.rwLayer]).catch(() => undefined);
  // The command that could not run is the caller's mistake (InvalidParameter, 127 / 126); anything else keeps its kind.
  const f = commandFailure(asBerthError(err, `start container ${r.Id.slice(0, 12)}`), START_FAILED, START_EXIT_OTHER);
  await ctx.call('containers', 'recordStartError', [r.Id, f.message, f.exitCode]).catch(() => undefined);
  // dockerd removes an AutoRemove container whose start failed: `run --rm` waits for that removal.
  if (r.HostConfig.AutoRemove) await ctx.job('container.delete', { ref: r.Id, force: true, volumes: true }).catch(() => undefined);
  throw f.error;
}

/**
 * Starts a container: mount its rootfs, write its /etc files, make its cgroup, have the runtime create
 * it, connect waiting attaches, start its process, record it running and hand it to the monitor.
 * One helper spawn and no polling: everything else is file writes and one socket round trip.
 */
export async function startContainer(ctx: EngineContext, ref: string): Promise<{ id: string; pid: number }> {
  const r = await ctx.call('containers', 'move', [ref, { type: 'start' }]);
  let cgroup = false;
  const sandbox = sandboxFor(ctx, r);
  try {
    const p = containerPaths(ctx.config, r.Id);
    // The rootfs mount and the /etc files on their way while the cgroup is made.
    const mounted = allSettledOrFirstError([ctx.call('graphdriver', 'get', [r.rwLayer]), writeEtcFiles(p, r)]);
    mounted.catch(() => undefined); // awaited below, unless the cgroup fails first
    // The cgroup first: the spec lists its cgroup.procs files, which exist only once it is made.
    if (ctx.runtime === 'native') {
      createCgroup(containerCgroup(r.Id), r.HostConfig);
      cgroup = true;
      warmCgroupAttach();
    }
    const [rootfs] = await mounted;
    const spec = buildSpec(r, rootfs, p, resolveUser(rootfs, r.Config.User ?? ''));
    if (r.HostConfig.NetworkMode?.startsWith('container:')) joinNetns(spec, await ctx.call('containers', 'find', [r.HostConfig.NetworkMode.slice(10)]));
    // Its namespaces exist, its network is in, its process waits: it starts with all of it.
    const { created, net } = await createAndConnect(ctx, r, spec, p, sandbox);
    await ctx.attachments.connectAll(r.Id);
    await ctx.ask('execdriver', { type: 'exec.start', id: r.Id });
    await ctx.call('containers', 'move', [r.Id, { type: 'started', pid: created.pid, at: new Date(ctx.clock.now()).toISOString() }, { NetworkSettings: networkOf(r.HostConfig.NetworkMode) ? { ...net, SandboxKey: `/proc/${created.pid}/ns/net` } : net }]);
    ctx.bus.publish('container.start', { id: r.Id, attributes: { name: r.Name.slice(1), image: r.Config.Image ?? '' } });
    await ctx.call('monitor', 'watch', [r.Id]);
    return { id: r.Id, pid: created.pid };
  } catch (err) {
    return unwind(ctx, r, cgroup, err);
  } finally {
    if (sandbox) await closeSandbox(ctx, sandbox);
  }
}

/** The container.start job (POST /containers/{id}/start). */
export const startJob = defineJob(
  'container.start',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string }> }) => startContainer(input.ctx as EngineContext, input.args.ref)),
  (a) => a.ref,
);
