/**
 * Wire types of the container operations beyond the lifecycle (exec, top, stats, update, prune),
 * named and shaped as in the Docker Engine API 1.47 swagger.
 */
import type { HostConfig } from './containers.js';

/** POST /containers/{id}/exec body (ExecConfig). */
export interface ExecConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  /** [height, width] of the terminal. */
  ConsoleSize?: [number, number] | null;
  DetachKeys?: string;
  Tty?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
}

/** POST /containers/{id}/exec answer (IdResponse). */
export interface IdResponse {
  Id: string;
}

/** POST /exec/{id}/start body (ExecStartConfig). */
export interface ExecStartConfig {
  Detach?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
}

/** ExecInspectResponse.ProcessConfig (lower-case keys on the wire, as dockerd writes them). */
export interface ExecProcessConfig {
  tty: boolean;
  entrypoint: string;
  arguments: string[];
  privileged?: boolean;
  user?: string;
}

/** GET /exec/{id}/json answer (ExecInspectResponse). */
export interface ExecInspectResponse {
  CanRemove: boolean;
  ContainerID: string;
  DetachKeys: string;
  /** null until the process has exited. */
  ExitCode: number | null;
  ID: string;
  OpenStderr: boolean;
  OpenStdin: boolean;
  OpenStdout: boolean;
  ProcessConfig: ExecProcessConfig;
  Running: boolean;
  Pid: number;
}

/** GET /containers/{id}/top answer (ContainerTopResponse). */
export interface ContainerTopResponse {
  Titles: string[];
  Processes: string[][];
}

/** POST /containers/{id}/update body: HostConfig's resource fields and the restart policy (ContainerUpdateRequest). */
export type ContainerUpdateRequest = Pick<
  HostConfig,
  'Memory' | 'MemoryReservation' | 'MemorySwap' | 'NanoCpus' | 'CpuShares' | 'CpuQuota' | 'CpuPeriod' | 'CpusetCpus' | 'CpusetMems' | 'PidsLimit' | 'BlkioWeight' | 'RestartPolicy'
> & { [other: string]: unknown };

/** POST /containers/{id}/update answer (ContainerUpdateResponse). */
export interface ContainerUpdateResponse {
  Warnings: string[];
}

/** POST /containers/prune answer (ContainerPruneResponse). */
export interface ContainerPruneResponse {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** CPU usage of one stats sample (CPUStats). */
export interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

/** One block I/O counter (BlkioStatEntry). */
export interface BlkioStatEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

/** GET /containers/{id}/stats: one sample (ContainerStatsResponse), as dockerd writes it on Linux. */
export interface ContainerStatsResponse {
  name: string;
  id: string;
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: { io_service_bytes_recursive: BlkioStatEntry[] | null; io_serviced_recursive: null; io_queue_recursive: null; io_service_time_recursive: null; io_wait_time_recursive: null; io_merged_recursive: null; io_time_recursive: null; sectors_recursive: null };
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: { usage?: number; max_usage?: number; stats?: Record<string, number>; limit?: number };
}
