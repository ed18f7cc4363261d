/** Wire types of the system routes, named and shaped as in the Docker Engine API 1.47 swagger. */

/** One entry of SystemVersion.Components. */
export interface ComponentVersion {
  Name: string;
  Version: string;
  Details?: Record<string, string> | null;
}

/** Response of GET /version. */
export interface SystemVersion {
  Platform: { Name: string };
  Components: ComponentVersion[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  Experimental?: boolean;
  BuildTime: string;
}

/** One runtime of SystemInfo.Runtimes. */
export interface Runtime {
  path: string;
  runtimeArgs?: string[];
}

/** SystemInfo.RegistryConfig. */
export interface RegistryServiceConfig {
  InsecureRegistryCIDRs: string[];
  IndexConfigs: Record<string, { Name: string; Mirrors: string[]; Secure: boolean; Official: boolean }>;
  Mirrors: string[];
}

/** Response of GET /info (the fields berth fills; the swagger marks all of them optional). */
export interface SystemInfo {
  ID: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  DriverStatus: [string, string][];
  DockerRootDir: string;
  Plugins: { Volume: string[]; Network: string[]; Authorization: string[] | null; Log: string[] };
  MemoryLimit: boolean;
  SwapLimit: boolean;
  KernelMemoryTCP?: boolean;
  CpuCfsPeriod: boolean;
  CpuCfsQuota: boolean;
  CPUShares: boolean;
  CPUSet: boolean;
  PidsLimit: boolean;
  OomKillDisable: boolean;
  IPv4Forwarding: boolean;
  BridgeNfIptables: boolean;
  BridgeNfIp6tables: boolean;
  Debug: boolean;
  NFd: number;
  NGoroutines: number;
  SystemTime: string;
  LoggingDriver: string;
  CgroupDriver: 'cgroupfs' | 'systemd' | 'none';
  CgroupVersion: '1' | '2';
  NEventsListener: number;
  KernelVersion: string;
  OperatingSystem: string;
  OSVersion: string;
  OSType: string;
  Architecture: string;
  NCPU: number;
  MemTotal: number;
  IndexServerAddress: string;
  RegistryConfig: RegistryServiceConfig;
  GenericResources: null;
  HttpProxy: string;
  HttpsProxy: string;
  NoProxy: string;
  Name: string;
  Labels: string[];
  ExperimentalBuild: boolean;
  ServerVersion: string;
  Runtimes: Record<string, Runtime>;
  DefaultRuntime: string;
  Swarm: { NodeID: string; NodeAddr: string; LocalNodeState: string; ControlAvailable: boolean; Error: string; RemoteManagers: null };
  LiveRestoreEnabled: boolean;
  Isolation: string;
  InitBinary: string;
  ContainerdCommit: { ID: string; Expected?: string };
  RuncCommit: { ID: string; Expected?: string };
  InitCommit: { ID: string; Expected?: string };
  SecurityOptions: string[];
  Warnings: string[];
}

/** The object an event is about: EventActor. */
export interface EventActor {
  ID: string;
  Attributes: Record<string, string>;
}

/** The object types an event can be about (EventMessage.Type). */
export type EventType =
  | 'builder' | 'config' | 'container' | 'daemon' | 'image' | 'network'
  | 'node' | 'plugin' | 'secret' | 'service' | 'volume';

/** One message of GET /events: EventMessage (with the legacy status / id / from fields Docker still sends). */
export interface EventMessage {
  Type: EventType;
  Action: string;
  Actor: EventActor;
  scope: 'local' | 'swarm';
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}
