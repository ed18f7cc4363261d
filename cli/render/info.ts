/** The text of `berth info`, laid out like `docker info` (plain `Key: value` lines, nested by indent). */
import type { SystemInfo } from '../../protocol/types/system.js';
import type { ClientVersion } from '../platform.js';
import { bytesSize } from './units.js';

/** The Client: section. */
export function renderClientInfo(client: ClientVersion, host: string): string[] {
  return ['Client:', ` Version: ${client.Version}`, ` Host: ${host}`];
}

/** The Server: section; warnings are left out (they go to stderr, see renderWarnings). */
export function renderServerInfo(info: SystemInfo): string[] {
  return [
    'Server:',
    ` Containers: ${info.Containers}`,
    `  Running: ${info.ContainersRunning}`,
    `  Paused: ${info.ContainersPaused}`,
    `  Stopped: ${info.ContainersStopped}`,
    ` Images: ${info.Images}`,
    ` Server Version: ${info.ServerVersion}`,
    ` Storage Driver: ${info.Driver}`,
    ...(info.DriverStatus ?? []).map(([key, value]) => `  ${key}: ${value}`),
    ` Logging Driver: ${info.LoggingDriver}`,
    ` Cgroup Driver: ${info.CgroupDriver}`,
    ` Cgroup Version: ${info.CgroupVersion}`,
    ` Kernel Version: ${info.KernelVersion}`,
    ` Operating System: ${info.OperatingSystem}`,
    ` OSType: ${info.OSType}`,
    ` Architecture: ${info.Architecture}`,
    ` CPUs: ${info.NCPU}`,
    ` Total Memory: ${bytesSize(info.MemTotal)}`,
    ` Name: ${info.Name}`,
    ` ID: ${info.ID}`,
    ` Docker Root Dir: ${info.DockerRootDir}`,
    ` Debug Mode: ${info.Debug ?? false}`,
    // Like docker, the Labels heading only appears when there are labels.
    ...((info.Labels ?? []).length > 0 ? [' Labels:', ...info.Labels.map((label) => `  ${label}`)] : []),
    ` Experimental: ${info.ExperimentalBuild ?? false}`,
    ` Live Restore Enabled: ${info.LiveRestoreEnabled}`,
  ];
}

/** The daemon's warnings, one `WARNING: …` line each, for stderr. */
export function renderWarnings(info: SystemInfo): string[] {
  return (info.Warnings ?? []).map((warning) => (warning.startsWith('WARNING:') ? warning : `WARNING: ${warning}`));
}
