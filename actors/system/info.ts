import { statfsSync } from 'node:fs';
import { fromPromise } from 'xstate';
import { BERTH_VERSION } from '../../protocol/api.js';
import type { SystemInfo } from '../../protocol/types/system.js';
import type { KernelProbe } from '../../drivers/native/addon.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'system.info': JobType<void, SystemInfo>;
  }
}

// statfs(2) magic numbers of the file systems a data root usually sits on, named as dockerd names them.
const FS_NAMES: Record<number, string> = {
  0xef53: 'extfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs', 0x2fc12fc1: 'zfs',
};

/** The file system under the data root ("Backing Filesystem" in `docker info`). */
export function backingFilesystem(dir: string): string {
  try {
    const type = Number(statfsSync(dir).type);
    return FS_NAMES[type] ?? `0x${type.toString(16)}`;
  } catch {
    return 'unknown';
  }
}

function has(p: KernelProbe, controller: string): boolean {
  return p.cgroup.controllers.includes(controller);
}

/** Warnings `docker info` prints at the end, for what this kernel lacks. */
function warnings(p: KernelProbe): string[] {
  const w: string[] = [];
  if (!has(p, 'memory')) w.push('WARNING: No memory limit support');
  if (!has(p, 'pids')) w.push('WARNING: No pids limit support');
  if (!has(p, 'cpu')) w.push('WARNING: No cpu shares / cfs quota support');
  if (!p.overlay) w.push('WARNING: overlayfs is not available; the vfs storage driver copies every layer');
  if (p.cgroup.layout !== 'v2') w.push(`WARNING: cgroup ${p.cgroup.layout}: berth supports it, but cgroup v2 is recommended`);
  return w;
}

/** GET /info: the daemon and its host, in Docker's SystemInfo shape. */
export async function systemInfo(ctx: EngineContext): Promise<SystemInfo> {
  const p = ctx.probe();
  const { config } = ctx;
  const graph = await ctx.call('graph', 'info', []);
  const states = (await ctx.call('containers', 'all', [])).map((c) => c.State);
  const running = states.filter((s) => s.Running && !s.Paused).length;
  const paused = states.filter((s) => s.Paused).length;
  return {
    ID: ctx.engineId,
    Containers: states.length, ContainersRunning: running, ContainersPaused: paused, ContainersStopped: states.length - running - paused,
    Images: graph.images,
    Driver: graph.driver,
    // The driver may report its backing file system itself; otherwise say what the data root sits on.
    DriverStatus: graph.status.some(([k]) => k === 'Backing Filesystem') ? graph.status : [['Backing Filesystem', backingFilesystem(config.dataRoot)], ...graph.status],
    DockerRootDir: config.dataRoot,
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none'], Authorization: null, Log: ['json-file'] },
    MemoryLimit: has(p, 'memory'), SwapLimit: has(p, 'memory'), CpuCfsPeriod: has(p, 'cpu'), CpuCfsQuota: has(p, 'cpu'),
    CPUShares: has(p, 'cpu'), CPUSet: has(p, 'cpuset'), PidsLimit: has(p, 'pids'), OomKillDisable: p.cgroup.layout !== 'v2',
    IPv4Forwarding: true, BridgeNfIptables: false, BridgeNfIp6tables: false,
    Debug: config.debug,
    NFd: 0, NGoroutines: 0,
    SystemTime: new Date(ctx.clock.now()).toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: p.cgroup.layout === 'v2' ? '2' : '1',
    NEventsListener: ctx.eventListeners(),
    KernelVersion: p.kernelVersion,
    OperatingSystem: p.operatingSystem,
    OSVersion: '',
    OSType: 'linux',
    Architecture: p.architecture,
    NCPU: p.ncpu,
    MemTotal: p.memTotal,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8', '::1/128'], IndexConfigs: {}, Mirrors: [] },
    GenericResources: null,
    HttpProxy: process.env.HTTP_PROXY ?? '', HttpsProxy: process.env.HTTPS_PROXY ?? '', NoProxy: process.env.NO_PROXY ?? '',
    Name: ctx.name,
    Labels: config.labels,
    ExperimentalBuild: false,
    ServerVersion: BERTH_VERSION,
    Runtimes: { berth: { path: 'berth-helper' } },
    DefaultRuntime: 'berth',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: 'berth-helper',
    ContainerdCommit: { ID: '' }, RuncCommit: { ID: '' }, InitCommit: { ID: '' },
    SecurityOptions: ['name=seccomp,profile=builtin', ...(p.namespaces.cgroup ? ['name=cgroupns'] : [])],
    Warnings: warnings(p),
  };
}

/** The system.info job. */
export const infoJob = defineJob(
  'system.info',
  fromPromise(async ({ input }: { input: JobInput<void> }) => systemInfo(input.ctx as EngineContext)),
);

