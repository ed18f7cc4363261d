/** Wire types of the /networks endpoints (swagger: Network, NetworkCreateRequest, EndpointSettings …). */

/** One IPAM pool of a network (IPAMConfig). */
export interface IPAMConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** A network's IPAM (IPAM). */
export interface IPAM {
  Driver: string;
  Config: IPAMConfig[] | null;
  Options: Record<string, string> | null;
}

/** A container attached to a network, as inspect shows it (NetworkContainer). */
export interface NetworkContainer {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  IPv4Address: string;
  IPv6Address: string;
}

/** GET /networks and /networks/{id} (Network). */
export interface Network {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: IPAM;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, NetworkContainer>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

/** POST /networks/create body (NetworkCreateRequest). */
export interface NetworkCreateRequest {
  Name?: string;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  IPAM?: Partial<IPAM> | null;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  /** Ignored since API 1.44: the name is always checked. */
  CheckDuplicate?: boolean;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** POST /networks/create answer (NetworkCreateResponse). */
export interface NetworkCreateResponse {
  Id: string;
  Warning: string;
}

/** An endpoint's requested addresses (EndpointIPAMConfig). */
export interface EndpointIPAMConfig {
  IPv4Address?: string;
  IPv6Address?: string;
  LinkLocalIPs?: string[];
}

/** What a client asks of an endpoint (the request side of EndpointSettings). */
export interface EndpointConfig {
  IPAMConfig?: EndpointIPAMConfig | null;
  Aliases?: string[] | null;
  Links?: string[] | null;
  MacAddress?: string;
  DriverOpts?: Record<string, string> | null;
}

/** POST /networks/{id}/connect body (NetworkConnectRequest). */
export interface NetworkConnectRequest {
  Container?: string;
  EndpointConfig?: EndpointConfig | null;
}

/** POST /networks/{id}/disconnect body (NetworkDisconnectRequest). */
export interface NetworkDisconnectRequest {
  Container?: string;
  Force?: boolean;
}

/** POST /networks/prune answer (NetworkPruneResponse). */
export interface NetworkPruneResponse {
  NetworksDeleted: string[] | null;
}
