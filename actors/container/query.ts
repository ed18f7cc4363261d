import { fromPromise } from 'xstate';
import { filterAllows, labelsAllow, type Filters } from '../../protocol/filters.js';
import type { ContainerSummary } from '../../protocol/types/containers.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import type { ContainerRecord } from '../services/containers/record.js';

/** GET /containers/{id}/json's document (ContainerInspectResponse): the record without engine-only fields. */
export type ContainerInspect = Omit<ContainerRecord, 'rwLayer' | 'imageLayer' | 'manuallyStopped'> & {
  Platform: string; MountLabel: string; ProcessLabel: string; AppArmorProfile: string; ExecIDs: string[] | null;
  GraphDriver: { Name: string; Data: null };
};

/** The filter keys GET /containers/json accepts. */
export const CONTAINER_LIST_FILTERS = ['ancestor', 'before', 'expose', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name', 'network', 'publish', 'since', 'status', 'volume'] as const;

declare module '../kernel/job.js' {
  interface Jobs {
    'container.inspect': JobType<{ ref: string }, ContainerInspect>;
    'container.list': JobType<{ all: boolean; limit?: number; filters: Filters }, ContainerSummary[]>;
  }
}

/** The inspect document of a record; `execIds` are its running exec instances (null when none, as dockerd). */
export function inspectOf(r: ContainerRecord, execIds: string[] = []): ContainerInspect {
  const { rwLayer: _rw, imageLayer: _il, manuallyStopped: _ms, ...rest } = r;
  return { ...rest, Platform: 'linux', MountLabel: '', ProcessLabel: '', AppArmorProfile: '', ExecIDs: execIds.length ? execIds : null, GraphDriver: { Name: r.Driver, Data: null } };
}

/** `Up 2 minutes`, `Exited (3) 5 seconds ago`, `Created`: the Status column of `docker ps`. */
export function statusText(r: ContainerRecord, now: number): string {
  const ago = (iso: string) => humanDuration(now - Date.parse(iso));
  const s = r.State;
  if (s.Status === 'running') return `Up ${ago(s.StartedAt)}`;
  if (s.Status === 'paused') return `Up ${ago(s.StartedAt)} (Paused)`;
  if (s.Status === 'restarting') return `Restarting (${s.ExitCode}) ${ago(s.FinishedAt)} ago`;
  if (s.Status === 'exited') return `Exited (${s.ExitCode}) ${ago(s.FinishedAt)} ago`;
  if (s.Status === 'removing') return 'Removal In Progress';
  if (s.Status === 'dead') return 'Dead';
  return 'Created';
}

/** Go's units.HumanDuration, as docker prints durations. */
export function humanDuration(ms: number): string {
  const sec = Math.round(ms / 1000);
  if (sec < 1) return 'Less than a second';
  if (sec === 1) return '1 second';
  if (sec < 60) return `${sec} seconds`;
  const min = Math.round(sec / 60);
  if (min === 1) return 'About a minute';
  if (min < 60) return `${min} minutes`;
  const h = Math.round(min / 60);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  return h < 24 * 14 ? `${Math.round(h / 24)} days` : `${Math.round(h / 24 / 7)} weeks`;
}

function summaryOf(r: ContainerRecord, now: number): ContainerSummary {
  const cmd = [r.Path, ...r.Args].join(' ');
  return {
    Id: r.Id, Names: [r.Name], Image: r.Config.Image ?? r.Image, ImageID: r.Image, Command: cmd, Created: Math.floor(Date.parse(r.Created) / 1000),
    Ports: [], Labels: r.Config.Labels ?? {}, State: r.State.Status, Status: statusText(r, now),
    HostConfig: { NetworkMode: r.HostConfig.NetworkMode ?? 'default' }, NetworkSettings: { Networks: r.NetworkSettings.Networks }, Mounts: r.Mounts,
  };
}

function passes(r: ContainerRecord, f: Filters): boolean {
  if (!filterAllows(f, 'status', r.State.Status)) return false;
  if (f.has('id') && !f.get('id')!.some((p) => r.Id.startsWith(p))) return false;
  if (f.has('name') && !f.get('name')!.some((n) => new RegExp(n).test(r.Name.slice(1)))) return false;
  if (f.has('exited') && (r.State.Status !== 'exited' || !f.get('exited')!.includes(String(r.State.ExitCode)))) return false;
  if (f.has('ancestor') && !f.get('ancestor')!.some((a) => a === r.Config.Image || r.Image.includes(a))) return false;
  return labelsAllow(f, r.Config.Labels ?? {});
}

/** container.inspect. */
export const inspectJob = defineJob(
  'container.inspect',
  fromPromise(async ({ input }: { input: JobInput<{ ref: string }> }) => {
    const ctx = input.ctx as EngineContext;
    const r = await ctx.call('containers', 'find', [input.args.ref]);
    return inspectOf(r, (await ctx.call('containers', 'execs', [])).ofContainer(r.Id));
  }),
  (a) => a.ref,
);

/** container.list: running ones unless `all`, newest first, at most `limit`. */
export const listJob = defineJob(
  'container.list',
  fromPromise(async ({ input }: { input: JobInput<{ all: boolean; limit?: number; filters: Filters }> }) => {
    const ctx = input.ctx as EngineContext;
    const { all, limit, filters } = input.args;
    const now = ctx.clock.now();
    const rows = (await ctx.call('containers', 'all', []))
      .filter((r) => (all || (limit ?? -1) > 0 || filters.has('status') ? true : r.State.Running))
      .filter((r) => passes(r, filters))
      .sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
    return (limit && limit > 0 ? rows.slice(0, limit) : rows).map((r) => summaryOf(r, now));
  }),
);
