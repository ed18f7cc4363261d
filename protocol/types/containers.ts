/** Wire types of the container routes, named and shaped as in the Docker Engine API 1.47 swagger. */
import type { ImageConfig } from './image.js';

/** RestartPolicy.Name values. */
export type RestartPolicyName = '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';

/** HostConfig.RestartPolicy. */
export interface RestartPolicy {
  Name: RestartPolicyName;
  MaximumRetryCount?: number;
}

/** One entry of HostConfig.Mounts (the `--mount` form). */
export interface MountSpec {
  Target: string;
  Source?: string;
  Type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster';
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/** One binding of HostConfig.PortBindings. */
export interface PortBinding {
  HostIp?: string;
  HostPort?: string;
}

/**
 * ContainerConfig: what runs (merged with the image's config at create). The image's config with
 * the fields the swagger lets a container request leave null.
 */
export interface ContainerConfig extends Omit<ImageConfig, 'ArgsEscaped' | 'NetworkDisabled' | 'MacAddress' | 'StopSignal' | 'StopTimeout'> {
  ArgsEscaped?: boolean | null;
  NetworkDisabled?: boolean | null;
  MacAddress?: string | null;
  StopSignal?: string | null;
  StopTimeout?: number | null;
}

/** HostConfig: how it runs (the fields berth reads; clients send many more, which are kept). */
export interface HostConfig {
  Binds?: string[] | null;
  Mounts?: MountSpec[] | null;
  Tmpfs?: Record<string, string> | null;
  ReadonlyRootfs?: boolean;
  Memory?: number;
  MemoryReservation?: number;
  MemorySwap?: number;
  NanoCpus?: number;
  CpuShares?: number;
  CpuQuota?: number;
  CpuPeriod?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  PidsLimit?: number | null;
  BlkioWeight?: number;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  Privileged?: boolean;
  /** `seccomp=unconfined|builtin|<profile JSON>`, `no-new-privileges[=bool]`, `label=…`, `apparmor=…`. */
  SecurityOpt?: string[] | null;
  PortBindings?: Record<string, PortBinding[] | null> | null;
  PublishAllPorts?: boolean;
  NetworkMode?: string;
  Dns?: string[] | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  ExtraHosts?: string[] | null;
  Init?: boolean | null;
  LogConfig?: { Type?: string; Config?: Record<string, string> };
  [other: string]: unknown;
}

/** POST /containers/create body. */
export interface ContainerCreateRequest extends ContainerConfig {
  HostConfig?: HostConfig;
  NetworkingConfig?: { EndpointsConfig?: Record<string, unknown> | null };
}

/** POST /containers/create answer (ContainerCreateResponse). */
export interface ContainerCreateResponse {
  Id: string;
  Warnings: string[];
}

/** POST /containers/{id}/wait answer (ContainerWaitResponse). */
export interface ContainerWaitResponse {
  StatusCode: number;
  Error?: { Message: string } | null;
}

/** One mount of a container, as inspect and list show it (MountPoint). */
export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** A container's network endpoint as inspect shows it (EndpointSettings, the fields berth fills). */
export interface EndpointSettings {
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  MacAddress: string;
  Aliases?: string[] | null;
}

/** NetworkSettings in inspect. */
export interface NetworkSettings {
  Bridge: string;
  SandboxID: string;
  SandboxKey: string;
  Ports: Record<string, PortBinding[] | null>;
  IPAddress: string;
  IPPrefixLen: number;
  Gateway: string;
  MacAddress: string;
  Networks: Record<string, EndpointSettings>;
}

/** One entry of GET /containers/json (ContainerSummary). */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Record<string, string>;
  State: string;
  Status: string;
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Networks: Record<string, EndpointSettings> };
  Mounts: MountPoint[];
}
