import type { ContainerConfig, HostConfig, MountPoint, NetworkSettings } from '../../../protocol/types/containers.js';
import type { ContainerState } from './lifecycle.js';

/** What berth keeps of a container (inspect's fields plus the engine's own). */
export interface ContainerRecord {
  Id: string;
  /** With its leading slash, as dockerd keeps it. */
  Name: string;
  Created: string;
  Path: string;
  Args: string[];
  Config: ContainerConfig;
  HostConfig: HostConfig;
  /** The image ID. */
  Image: string;
  State: ContainerState;
  RestartCount: number;
  Driver: string;
  LogPath: string;
  ResolvConfPath: string;
  HostnamePath: string;
  HostsPath: string;
  NetworkSettings: NetworkSettings;
  Mounts: MountPoint[];
  /** The container's writable layer in the graph driver. */
  rwLayer: string;
  /** The image layer it sits on (the image's top layer), null for an image without layers. */
  imageLayer: string | null;
  /** Set by `stop`/`kill` from a client, so restart policies leave it down (and unless-stopped after a daemon restart). */
  manuallyStopped: boolean;
}

/** Empty network settings (networking comes with issue 6; `none` and `host` need nothing more). */
export function emptyNetworkSettings(): NetworkSettings {
  return { Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, IPAddress: '', IPPrefixLen: 0, Gateway: '', MacAddress: '', Networks: {} };
}
