/** The network driver's request and result types (kept apart so driver.ts stays about behaviour). */
import type { NetnsRef } from './backend.js';
import type { PortBinding } from './ports.js';
import type { AddressPool } from './subnets.js';

/** Driver settings (dockerd's --bip / --fixed-cidr / --default-address-pool / --mtu / --icc). */
export interface NetworkConfig {
  /** The default network's subnet. Default 10.88.0.0/16 (clear of Docker's 172.17.0.0/16). */
  defaultSubnet?: string;
  /** Its gateway (the bridge's address). Default: the subnet's first host. */
  defaultGateway?: string;
  /** Where its containers' addresses come from (--fixed-cidr). Default: the whole subnet. */
  defaultIpRange?: string;
  /** The default bridge's name. Default berth0. */
  defaultBridge?: string;
  /** Inter-container communication on the default network. Default true. */
  icc?: boolean;
  /** Pools user networks get subnets from when they name none. */
  pools?: AddressPool[];
  mtu?: number;
  /** Where ports published without a host port come from. Default: the kernel's ephemeral range (portalloc.ts). */
  dynamicPorts?: [number, number];
  /** Where the driver says what it did during reconciliation. */
  log?: (message: string) => void;
}

/** A network to create (Docker's NetworkCreateRequest, the bridge driver's part). */
export interface CreateNetwork {
  name: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  /** Default true; Docker's option com.docker.network.bridge.enable_icc=false turns it off too. */
  icc?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
}

/** A container joining a network. */
export interface ConnectRequest {
  containerId: string;
  /** For name resolution between containers (issue 6). */
  containerName: string;
  netns: NetnsRef;
  /** A network's id, unique id prefix or name. */
  network: string;
  ip?: string;
  aliases?: string[];
  ports?: PortBinding[];
  /** Default: the lowest ethN this container does not use yet. */
  ifName?: string;
  /** False for a container's second and further networks: its default route stays on the first. */
  defaultRoute?: boolean;
  /** The container's nameservers (--dns), upstreams of the embedded DNS for it; default the host's. */
  dns?: string[];
}

/** What a container gets from connect (Docker's EndpointSettings fields, plus the veth names). */
export interface EndpointInfo {
  EndpointID: string;
  NetworkID: string;
  IPAddress: string;
  IPPrefixLen: number;
  Gateway: string;
  MacAddress: string;
  Aliases: string[];
  hostVeth: string;
  ifName: string;
  /** Published ports with the host port actually held. */
  ports: PortBinding[];
}
