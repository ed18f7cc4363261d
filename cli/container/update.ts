/** The body of POST /containers/{id}/update from `update` flags, field for field what docker sends. */
import type { RestartPolicy } from '../../protocol/types/containers.js';
import { FlagError, flagValue } from './errors.js';
import { parseBytes, parseCpus, parseInteger, parseRestart, parseSwap } from './parse.js';

/** The flags of `update`, as parsed (strings, checked here with docker's messages). */
export interface UpdateFlags {
  'blkio-weight'?: string | undefined;
  'cpu-period'?: string | undefined;
  'cpu-quota'?: string | undefined;
  'cpu-rt-period'?: string | undefined;
  'cpu-rt-runtime'?: string | undefined;
  'cpu-shares'?: string | undefined;
  cpus?: string | undefined;
  'cpuset-cpus'?: string | undefined;
  'cpuset-mems'?: string | undefined;
  memory?: string | undefined;
  'memory-reservation'?: string | undefined;
  'memory-swap'?: string | undefined;
  'pids-limit'?: string | undefined;
  restart?: string | undefined;
}

const num = (flag: string, value: string | undefined, parse: (v: string) => number): number => (value === undefined ? 0 : flagValue(flag, value, parse));

/** The update body (zero values mean "leave as it is", as for dockerd). */
export function updateConfig(f: UpdateFlags): Record<string, unknown> {
  let restart: RestartPolicy = { Name: '', MaximumRetryCount: 0 };
  if (f.restart !== undefined) {
    try {
      restart = parseRestart(f.restart);
    } catch (err) {
      throw new FlagError(`invalid argument "${f.restart}" for "--restart" flag: ${(err as Error).message}`);
    }
  }
  return {
    CpuShares: num('-c, --cpu-shares', f['cpu-shares'], parseInteger), Memory: num('-m, --memory', f.memory, parseBytes),
    NanoCpus: num('--cpus', f.cpus, parseCpus), CgroupParent: '', BlkioWeight: num('--blkio-weight', f['blkio-weight'], parseInteger),
    BlkioWeightDevice: null, BlkioDeviceReadBps: null, BlkioDeviceWriteBps: null, BlkioDeviceReadIOps: null, BlkioDeviceWriteIOps: null,
    CpuPeriod: num('--cpu-period', f['cpu-period'], parseInteger), CpuQuota: num('--cpu-quota', f['cpu-quota'], parseInteger),
    CpuRealtimePeriod: num('--cpu-rt-period', f['cpu-rt-period'], parseInteger), CpuRealtimeRuntime: num('--cpu-rt-runtime', f['cpu-rt-runtime'], parseInteger),
    CpusetCpus: f['cpuset-cpus'] ?? '', CpusetMems: f['cpuset-mems'] ?? '', Devices: null, DeviceCgroupRules: null, DeviceRequests: null,
    MemoryReservation: num('--memory-reservation', f['memory-reservation'], parseBytes),
    MemorySwap: num('--memory-swap', f['memory-swap'], parseSwap), MemorySwappiness: null, OomKillDisable: null,
    // A pointer in docker: null means "leave as it is", unlike 0.
    PidsLimit: f['pids-limit'] === undefined ? null : flagValue('--pids-limit', f['pids-limit'], parseInteger),
    Ulimits: null, CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0, RestartPolicy: restart,
  };
}
