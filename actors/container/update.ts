import { fromPromise } from 'xstate';
import { invalidParameter, system } from '../../protocol/errdefs.js';
import type { HostConfig } from '../../protocol/types/containers.js';
import type { ContainerUpdateRequest, ContainerUpdateResponse } from '../../protocol/types/container-ops.js';
import { containerCgroup } from '../../drivers/exec/resources.js';
import { updateLimits } from '../../drivers/exec/usage.js';
import type { EngineContext } from '../context.js';
import type { ResourceEvent } from '../kernel/bus.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { validateHostConfig } from '../services/containers/merge.js';
import { containerAttributes } from './exec.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'container.update': JobType<{ ref: string; update: ContainerUpdateRequest }, ContainerUpdateResponse>;
  }
}

declare module '../kernel/bus.js' {
  interface Topics {
    'container.update': ResourceEvent;
  }
}

/** The resource fields an update sets when non-zero (0 or "" leaves the current value). */
const FIELDS = ['BlkioWeight', 'CpuShares', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'CpusetMems', 'Memory', 'MemorySwap', 'MemoryReservation'] as const;

/** NanoCpus and CPU period / quota exclude each other, across the update and what is already set (dockerd's words). */
function checkCpuConflicts(h: HostConfig, u: ContainerUpdateRequest): void {
  if (u.NanoCpus && h.CpuPeriod) throw invalidParameter('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (u.NanoCpus && h.CpuQuota) throw invalidParameter('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if (u.CpuPeriod && h.NanoCpus) throw invalidParameter('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if (u.CpuQuota && h.NanoCpus) throw invalidParameter('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
}

/** A container's HostConfig with an update applied, by dockerd's rules (container.UpdateContainer). */
export function updatedHostConfig(h: HostConfig, u: ContainerUpdateRequest): HostConfig {
  checkCpuConflicts(h, u);
  if (u.Memory && h.MemorySwap && h.MemorySwap > 0 && u.Memory > h.MemorySwap && !u.MemorySwap) {
    throw invalidParameter('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
  }
  const next: HostConfig = { ...h };
  for (const k of FIELDS) if (u[k]) (next as Record<string, unknown>)[k] = u[k];
  if (u.PidsLimit !== undefined && u.PidsLimit !== null) next.PidsLimit = u.PidsLimit;
  if (u.RestartPolicy?.Name) {
    if (u.RestartPolicy.Name !== 'no' && h.AutoRemove) throw invalidParameter('Restart policy cannot be updated because AutoRemove is enabled for the container');
    next.RestartPolicy = u.RestartPolicy;
  }
  return next;
}

/**
 * Updates a container's limits and restart policy. A running (or paused) container's cgroup is
 * changed at once; a stopped one gets them at its next start. Kept only once applied.
 */
export async function updateContainer(ctx: EngineContext, ref: string, u: ContainerUpdateRequest): Promise<ContainerUpdateResponse> {
  validateHostConfig({ Memory: u.Memory, MemorySwap: u.MemorySwap, NanoCpus: u.NanoCpus, CpuQuota: u.CpuQuota, CpuPeriod: u.CpuPeriod, ...(u.RestartPolicy && { RestartPolicy: u.RestartPolicy }) });
  const r = await ctx.call('containers', 'find', [ref]);
  const cannot = (why: string) => `Cannot update container ${r.Id}: ${why}`;
  if (r.State.Status === 'removing' || r.State.Dead) throw system(cannot('container is marked for removal and cannot be "update"'));
  let next: HostConfig;
  try {
    next = updatedHostConfig(r.HostConfig, u);
  } catch (err) {
    throw invalidParameter(cannot((err as Error).message));
  }
  if (r.State.Running && !r.State.Restarting && ctx.runtime === 'native') {
    try {
      updateLimits(containerCgroup(r.Id), next);
    } catch (err) {
      throw system(cannot((err as Error).message), err);
    }
  }
  await ctx.call('containers', 'patch', [r.Id, { HostConfig: next }]);
  ctx.bus.publish('container.update', { id: r.Id, attributes: containerAttributes(r) });
  return { Warnings: [] };
}

/** container.update (POST /containers/{id}/update). */
export const updateJob = defineJob(
  'container.update',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string; update: ContainerUpdateRequest }> }) => updateContainer(input.ctx as EngineContext, input.args.ref, input.args.update)),
  (a) => a.ref,
);
