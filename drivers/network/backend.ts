/**
 * The network driver's backend: the kernel side of bridges, veths, firewall rules and host ports.
 * `native` uses the addon's netlink, `nft` and real sockets; `fake` keeps it all in memory for tests
 * without root. test/conformance/networkdriver.ts runs the same cases against both.
 */

/** A link as the backend reports it. */
export interface BackendLink {
  name: string;
  index: number;
  /** "bridge", "veth", or null. */
  kind: string | null;
  /** Index of its bridge. */
  master: number | null;
  up: boolean;
  mac: string;
  mtu: number;
}

/** Where a container's network namespace is: a namespace file, or a process's. */
export type NetnsRef = { path: string } | { pid: number };

/** A container's network namespace, made before its process (NetworkBackend.sandbox). */
export interface Sandbox {
  /** The file the runtime joins and plug() plugs through. */
  path: string;
  /** What keeps it alive until closeSandbox. */
  fd: number;
}

/** The container end's configuration, applied inside its namespace. */
export interface ContainerInterface {
  /** Name on arrival (the peer's temporary name). */
  name: string;
  /** Final name, e.g. eth0. */
  ifName: string;
  /** "10.88.0.2/16". */
  cidr: string;
  mac: string;
  mtu?: number;
  /** Default route via; null for internal networks. */
  gateway: string | null;
}

/** A held host port (a bound socket): nobody else can take it while berth publishes it. */
export interface PortReservation {
  /** The port actually held (the kernel's pick when 0 was asked for). */
  port: number;
  release(): Promise<void>;
}

/** The kernel operations the driver needs. Names are interface names (at most 15 bytes). */
export interface NetworkBackend {
  /** "native" or "fake". */
  readonly name: string;
  /** The link called `name`, or null. */
  link(name: string): Promise<BackendLink | null>;
  /** Links whose names start with `prefix`. */
  links(prefix: string): Promise<BackendLink[]>;
  /** Creates a bridge with `cidr` ("10.88.0.1/16") on it, up, routing 127.0.0.1 to it allowed. */
  createBridge(name: string, cidr: string, mtu?: number): Promise<void>;
  /** Makes an existing bridge look as createBridge would have left it (address, up, sysctls). */
  adoptBridge(name: string, cidr: string): Promise<void>;
  /** Deletes a link; a missing one is fine. */
  deleteLink(name: string): Promise<void>;
  /**
   * A container's veth once its process has exited: the kernel removes the pair with the dying
   * network namespace of the peer, so this waits for that and deletes it only if it stays
   * (something else holds the namespace). Resolves once it is gone.
   */
  releaseLink(name: string): Promise<void>;
  /**
   * Creates veth `host` <-> `peer`, enslaves `host` to `bridge` (isolated when `isolated`, hairpin
   * on), sets it up, moves `peer` into the container's namespace and configures it there.
   * On failure nothing of it is left.
   */
  plug(host: string, bridge: string, isolated: boolean, netns: NetnsRef, iface: ContainerInterface): Promise<void>;
  /**
   * Makes a network namespace (with `lo` up) for a container whose process does not exist yet:
   * its interfaces are plugged into it while the runtime builds the rest of the container, which
   * then joins it by `path`. It lives while held; closeSandbox lets go (the container keeps it).
   */
  sandbox(): Promise<Sandbox>;
  closeSandbox(s: Sandbox): void;
  /** Applies an nft script atomically (all or nothing). */
  nft(script: string): Promise<void>;
  /**
   * Holds `hostIp:port/proto` ('' or 0.0.0.0: every address; port 0: a free port). Conflict
   * "Bind for 0.0.0.0:8080 failed: port is already allocated" when something else has it.
   */
  reservePort(proto: 'tcp' | 'udp', hostIp: string, port: number): Promise<PortReservation>;
  /** IPv4 routes of the host as "a.b.c.d/n" with their device, for picking subnets that do not collide. */
  routes(): Promise<Array<{ cidr: string; dev: string }>>;
  /** Lets traffic of `bridge` through firewalls that drop forwarded packets by default (see README). */
  allowForward(bridge: string): Promise<void>;
  /** Removes what allowForward added. */
  disallowForward(bridge: string): Promise<void>;
}
