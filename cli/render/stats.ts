/**
 * `berth stats` rows from GET /containers/{id}/stats documents, computed as docker's CLI computes
 * them (CPU % from the delta to precpu_stats, memory without the inactive page cache).
 */
import { humanSize } from './humanize.js';
import { TABLE } from './listing.js';
import { bytesSize } from './units.js';

/** The parts of a stats document (ContainerStatsResponse) the rows use. */
export interface StatsDocument {
  id?: string;
  name?: string;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> | null };
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }> | null;
  pids_stats?: { current?: number };
}

/** CPU counters of one sample. */
export interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** One row; `--format json` prints the fields in this order. */
export interface StatsRow {
  BlockIO: string;
  CPUPerc: string;
  Container: string;
  ID: string;
  MemPerc: string;
  MemUsage: string;
  Name: string;
  NetIO: string;
  PIDs: string;
}

/** The table headers of those fields. */
export const STATS_HEADERS: Record<string, string> = {
  BlockIO: 'BLOCK I/O', CPUPerc: 'CPU %', Container: 'CONTAINER', ID: 'CONTAINER ID', MemPerc: 'MEM %',
  MemUsage: 'MEM USAGE / LIMIT', Name: 'NAME', NetIO: 'NET I/O', PIDs: 'PIDS',
};

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

/** The format to render with: docker's default table unless one is given. */
export function statsFormat(format: string | undefined): string {
  return !format || format === TABLE ? DEFAULT_TABLE : format;
}

/** docker's calculateCPUPercentUnix. */
export function cpuPercent(s: StatsDocument): number {
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** docker's calculateMemUsageUnixNoCache: usage less the inactive file cache (v1 or v2 key). */
export function memoryUsage(s: StatsDocument): number {
  const usage = s.memory_stats?.usage ?? 0;
  const stats = s.memory_stats?.stats ?? {};
  const inactive = stats.total_inactive_file ?? stats.inactive_file;
  return inactive !== undefined && inactive < usage ? usage - inactive : usage;
}

function sumIo(s: StatsDocument, op: string): number {
  return (s.blkio_stats?.io_service_bytes_recursive ?? []).filter((e) => e.op.toLowerCase() === op).reduce((t, e) => t + e.value, 0);
}

function sumNet(s: StatsDocument, key: 'rx_bytes' | 'tx_bytes'): number {
  return Object.values(s.networks ?? {}).reduce((t, n) => t + (n[key] ?? 0), 0);
}

/** One row for `container` (the name or ID as the user gave it). */
export function statsRow(container: string, s: StatsDocument, noTrunc: boolean): StatsRow {
  const mem = memoryUsage(s);
  const limit = s.memory_stats?.limit ?? 0;
  const id = s.id ?? '';
  return {
    BlockIO: `${humanSize(sumIo(s, 'read'), 3)} / ${humanSize(sumIo(s, 'write'), 3)}`,
    CPUPerc: `${cpuPercent(s).toFixed(2)}%`,
    Container: container,
    ID: noTrunc ? id : id.slice(0, 12),
    MemPerc: `${(limit > 0 ? (mem / limit) * 100 : 0).toFixed(2)}%`,
    MemUsage: `${bytesSize(mem)} / ${bytesSize(limit)}`,
    Name: (s.name ?? '').replace(/^\//, ''),
    NetIO: `${humanSize(sumNet(s, 'rx_bytes'), 3)} / ${humanSize(sumNet(s, 'tx_bytes'), 3)}`,
    PIDs: String(s.pids_stats?.current ?? 0),
  };
}
