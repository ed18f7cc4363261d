/** The daemon's configuration, as `berth daemon` flags (named after dockerd's) give it. */
export interface EngineConfig {
  /** Listen addresses, dockerd style: `unix:///run/berth/berth.sock`, `tcp://127.0.0.1:2375`, `fd://`. */
  hosts: string[];
  /** Where images, containers and the database live (dockerd --data-root). */
  dataRoot: string;
  /** Where the pid file, lock and runtime state live (dockerd --exec-root). */
  execRoot: string;
  /** Verbose logging (dockerd --debug). */
  debug: boolean;
  /** TLS for tcp listeners (dockerd --tls / --tlsverify and the files). */
  tls?: { cert: string; key: string; ca?: string; verify: boolean };
  /** Allows a tcp listener without TLS; even then only on loopback. */
  insecureTcp: boolean;
  /** Labels shown by `info` (dockerd --label). */
  labels: string[];
  /** The graph driver (dockerd --storage-driver): overlay or vfs; chosen from the kernel when unset. */
  storageDriver?: string;
  /** Registries reached over plain HTTP (dockerd --insecure-registry; 127.0.0.0/8 always is). */
  insecureRegistries: string[];
  /** Pull-through mirrors for docker.io (dockerd --registry-mirror). */
  registryMirrors: string[];
  /** The default bridge's address and subnet, `10.88.0.1/16` (dockerd --bip); clear of Docker's 172.17/16 by default. */
  bip?: string;
  /** Where the default bridge's containers get addresses (dockerd --fixed-cidr). */
  fixedCidr?: string;
  /**
   * The default bridge's name (dockerd --bridge; berth creates it). Default berth0. Another name also
   * gives the daemon its own nft table (`inet berth-<bridge>`), so daemons side by side keep apart.
   */
  bridge?: string;
}

/** The defaults of `berth daemon` with no flags. */
export function defaultConfig(): EngineConfig {
  return {
    hosts: ['unix:///run/berth/berth.sock'],
    dataRoot: '/var/lib/berth',
    execRoot: '/run/berth',
    debug: false,
    insecureTcp: false,
    labels: [],
    insecureRegistries: [],
    registryMirrors: [],
  };
}
