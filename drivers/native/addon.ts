/**
 * The one place that loads berth's Rust addon (native/). Drivers call `loadNative()`; nothing else
 * in the repo requires the .node file. The interface below is handwritten on purpose: the generated
 * native.d.ts only exists after a build, and TS must type-check without one.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Namespace kinds the kernel offers, from /proc/self/ns. */
export interface ProbeNamespaces {
  mnt: boolean;
  uts: boolean;
  ipc: boolean;
  pid: boolean;
  net: boolean;
  user: boolean;
  cgroup: boolean;
}

/** v1: only cgroup v1; hybrid: v1 controllers plus a v2 tree; v2: the unified hierarchy. */
export type CgroupLayout = 'v1' | 'hybrid' | 'v2';

/** The host's cgroup setup. */
export interface ProbeCgroup {
  layout: CgroupLayout;
  /** Mount point of the v2 tree (/sys/fs/cgroup, or /sys/fs/cgroup/unified in hybrid); null on v1. */
  v2Root: string | null;
  /** Usable controllers: mounted+enabled v1 ones, then those the v2 root offers. */
  controllers: string[];
}

/** One snapshot of what this host offers a container engine (`kernelProbe()`). */
export interface KernelProbe {
  /** `uname -r`. */
  kernelVersion: string;
  /** PRETTY_NAME from os-release, "Linux" when the host has none. */
  operatingSystem: string;
  /** `uname -m`, e.g. x86_64. */
  architecture: string;
  namespaces: ProbeNamespaces;
  cgroup: ProbeCgroup;
  /** Whether /proc/filesystems lists overlay. */
  overlay: boolean;
  /** MemTotal in bytes. */
  memTotal: number;
  /** Online CPUs (equals `os.cpus().length`). */
  ncpu: number;
}

/** Layers of an overlay mount (`mountOverlay`). */
export interface OverlayMountOptions {
  /**
   * Lower layers, top first (overlay's own order). Any number: they go to the kernel one by one
   * (fsconfig "lowerdir+", Linux 6.8+); older kernels take one page of mount data and throw E2BIG
   * when the list does not fit.
   */
  lowerdirs: string[];
  /** The writable layer; must be on the same filesystem as workdir. */
  upperdir: string;
  /** Overlay's scratch directory, empty, beside upperdir. */
  workdir: string;
  /** Mount read-only. Default false. */
  readonly?: boolean;
}

/** `unmount` options. */
export interface UnmountOptions {
  /** MNT_DETACH: detach now, finish when the mount is no longer busy. Default false. */
  detach?: boolean;
}

/** `bindMount` options. */
export interface BindMountOptions {
  /** Make the bind read-only (every bound mount when `recursive`); never left writable on failure. */
  readonly?: boolean;
  /** Also bind the mounts below the source (MS_REC). Default false. */
  recursive?: boolean;
}

/** Node kinds `mknod` creates. */
export type NodeType = 'char' | 'block' | 'fifo';

/** spawnCollect's options: argv[0] if it should differ from the path, variables added to the daemon's. */
export interface SpawnOptions {
  argv0?: string;
  env?: Record<string, string>;
}

/** How a program run by spawnCollect ended, and what it wrote. */
export interface SpawnResult {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  signal: number | null;
  stdout: string;
  stderr: string;
}

/** `mknod` options; an overlay whiteout is `{ type: 'char', major: 0, minor: 0, mode: 0 }`. */
export interface MknodOptions {
  type: NodeType;
  /** Device numbers; ignored for fifos. Default 0. */
  major?: number;
  minor?: number;
  /** Permission bits (at most 0o7777), set exactly: the umask does not apply. */
  mode: number;
}

/**
 * Container limits in Docker's HostConfig terms (v1 names; translated for cgroup v2).
 * 0 or absent leaves a setting alone; -1 means unlimited for memory, memoryReservation, memorySwap
 * and cpuQuota. pidsLimit: 0 or -1 is unlimited, only absent leaves it alone.
 */
export interface CgroupResources {
  /** Bytes (v1 memory.limit_in_bytes, v2 memory.max). */
  memory?: number;
  /** Bytes (v1 memory.soft_limit_in_bytes, v2 memory.low). */
  memoryReservation?: number;
  /** Memory plus swap, in bytes. v2 writes memory.swap.max = memorySwap - memory, so it needs memory too. */
  memorySwap?: number;
  /** Relative CPU weight (v1 cpu.shares; v2 cpu.weight via runc's map: 1024 → 39). */
  cpuShares?: number;
  /** Microseconds per period (v1 cpu.cfs_quota_us, v2 cpu.max). */
  cpuQuota?: number;
  /** Microseconds (v1 cpu.cfs_period_us, v2 cpu.max). */
  cpuPeriod?: number;
  /** e.g. "0-1,3". */
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: number;
  /** 10..1000 (v1 blkio[.bfq].weight; v2 io.bfq.weight, else io.weight scaled to 1..10000). */
  blkioWeight?: number;
}

/**
 * Points the cgroup calls at a test root instead of the host's hierarchies. v2: `root` is the
 * unified tree; v1: every `<root>/<controller>` directory is that controller's hierarchy; hybrid:
 * v1 plus `<root>/unified`. Writes never create files, so lay out what cgroupfs would have.
 */
export interface CgroupRootOptions {
  root: string;
  layout: CgroupLayout;
}

/** Usage of one cgroup; null when the controller (or its file) is absent. */
export interface CgroupStats {
  cpuUsageNs: number | null;
  memoryUsage: number | null;
  /** Bytes; null also when unlimited. */
  memoryLimit: number | null;
  pidsCurrent: number | null;
  /** Summed over devices. */
  ioReadBytes: number | null;
  ioWriteBytes: number | null;
}

/** Where a netlink call runs: another network namespace, by file (`/proc/<pid>/ns/net`, `/run/netns/x`). */
export interface NetnsOptions {
  /** Absent: the daemon's own namespace. The call then runs on a fresh thread that joins it. */
  netns?: string;
}

/** A network interface as rtnetlink describes it. */
export interface NetLink {
  index: number;
  name: string;
  mtu: number;
  /** "aa:bb:cc:dd:ee:ff"; '' for links without one. */
  mac: string;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** Index of the bridge it is enslaved to. */
  master: number | null;
  /** "bridge", "veth", …; null for physical and loopback links. */
  kind: string | null;
}

/** An IPv4 address of a link. */
export interface NetAddress {
  address: string;
  prefixLen: number;
}

/** A network namespace: a process's (`pid`) or a namespace file (`path`); exactly one. */
export interface NetnsRef {
  pid?: number;
  path?: string;
}

/** `bridgeCreate` / `vethCreate` options. */
export interface LinkCreateOptions extends NetnsOptions {
  mtu?: number;
  /**
   * vethCreate: make the peer right in this namespace. One request, where moving it there later
   * (linkSetNetns) re-registers the device and waits out an RCU grace period (~20 ms).
   */
  peerNetns?: NetnsRef;
}

/** `linkSet` changes, sent in one RTM_SETLINK; absent fields are left alone. */
export interface LinkSetChange {
  rename?: string;
  mtu?: number;
  mac?: string;
  /** Enslave to this bridge. */
  master?: string;
  /** Release from its bridge. */
  nomaster?: boolean;
  up?: boolean;
}

/** Where `linkSetNetns` moves a link: exactly one of pid and path; renamed there when `rename` is set. */
export interface NetnsTarget {
  pid?: number;
  path?: string;
  rename?: string;
}

/** Bridge-port settings of an enslaved link. */
export interface BridgePortChange {
  /** Isolated ports forward only to non-isolated ones (the bridge itself): Docker's ICC off. */
  isolated?: boolean;
  /** Send frames back out the port they came in on (a container reaching its own published port). */
  hairpin?: boolean;
}

/** `routeAddDefault` options. */
export interface RouteOptions extends NetnsOptions {
  /** The output device. */
  dev?: string;
}

/** A container's end of a veth, configured by `interfaceConfigure` inside its namespace. */
export interface InterfaceConfigure {
  /** Its name on arrival in the namespace. */
  name: string;
  /** Its name in the container, e.g. eth0. */
  rename?: string;
  /** "10.88.0.2/16". */
  cidr: string;
  mac?: string;
  mtu?: number;
  /** Default route via; absent for internal networks. */
  gateway?: string;
}

/**
 * The addon's exports. All are synchronous: they block the calling thread for a few syscalls, and
 * cgroupFreeze/cgroupThaw/cgroupDestroy for as long as the kernel takes (at most ~5 s / ~0.6 s).
 * Failed syscalls throw an Error shaped like Node's SystemError (`code`, negative `errno`, `syscall`,
 * `path`; the message names the operation and the object); unparsable kernel data throws code
 * ERR_BERTH_KERNEL_DATA; arguments refused before any syscall throw ERR_INVALID_ARG_VALUE.
 * Paths are used as given (callers resolve them safely); `l…` functions never follow a final symlink.
 */
export interface NativeAddon {
  kernelProbe(): KernelProbe;

  /** Mounts an overlay of `options.lowerdirs` + upperdir on `target`. */
  mountOverlay(target: string, options: OverlayMountOptions): void;
  /** umount2(target) without following a final symlink; code EINVAL when target is not a mount point. */
  unmount(target: string, options?: UnmountOptions): void;
  /** Bind-mounts `source` on `target`. */
  bindMount(source: string, target: string, options?: BindMountOptions): void;
  /**
   * Mounts a tmpfs; `options` is mount(8)-style: flag words (ro, nosuid, nodev, noexec, …) become
   * mount flags, the rest (size=64m,mode=1777) is tmpfs data.
   */
  mountTmpfs(target: string, options?: string): void;
  /** Whether `path` is the root of a mount (a symlink never is); false when it does not exist. */
  isMountpoint(path: string): boolean;

  /** Creates a device node or fifo at `path` (EEXIST if something is there). */
  mknod(path: string, options: MknodOptions): void;
  /** Sets an extended attribute on `path` itself (`trusted.*` needs root). */
  lsetxattr(path: string, name: string, value: Buffer): void;
  /** An extended attribute of `path` itself, or null when it has none (ENODATA). */
  lgetxattr(path: string, name: string): Buffer | null;
  /** Extended attribute names of `path` itself. */
  llistxattr(path: string): string[];
  /** Changes the owner of `path` itself. */
  lchown(path: string, uid: number, gid: number): void;
  /** Sets atime and mtime of `path` itself, in nanoseconds since the epoch. */
  utimensNoFollow(path: string, atimeNs: bigint, mtimeNs: bigint): void;
  /**
   * syncfs(2) of the filesystem holding the directory `path`, on a libuv pool thread: what was
   * written there (file data, entries, renames) is on stable storage when it resolves.
   */
  syncFs(path: string): Promise<void>;

  /**
   * Creates cgroup `path` (relative to every hierarchy's root, e.g. `berth/<id>`; no `..`) and applies
   * `resources`. v2 enables the parents' controllers; v1 fills a new cpuset from its parent; hybrid
   * hosts also get the cgroup in the unified tree. Existing directories are fine. On failure, call
   * cgroupDestroy.
   */
  cgroupCreate(path: string, resources?: CgroupResources, options?: CgroupRootOptions): void;
  /** Applies `resources` to an existing cgroup. */
  cgroupUpdate(path: string, resources: CgroupResources, options?: CgroupRootOptions): void;
  /** Moves process `pid` (all its threads) into the cgroup in every hierarchy. */
  cgroupAddProcess(path: string, pid: number, options?: CgroupRootOptions): void;
  /** Freezes the cgroup's processes; returns once the kernel reports them frozen (EBUSY after ~5 s). */
  cgroupFreeze(path: string, options?: CgroupRootOptions): void;
  /** Thaws the cgroup; returns once the kernel reports it thawed. */
  cgroupThaw(path: string, options?: CgroupRootOptions): void;
  /** CPU, memory, pids and I/O usage. */
  cgroupStats(path: string, options?: CgroupRootOptions): CgroupStats;
  /** Processes the OOM killer has killed in the cgroup (v1 memory.oom_control, v2 memory.events). */
  cgroupOomKills(path: string, options?: CgroupRootOptions): number;
  /** Process ids in the cgroup (the union over v1 hierarchies), sorted. */
  cgroupPids(path: string, options?: CgroupRootOptions): number[];
  /**
   * Removes the cgroup and any child cgroups from every hierarchy. Kills nothing: EBUSY (after a few
   * short retries) while processes remain. A cgroup that does not exist is fine.
   */
  cgroupDestroy(path: string, options?: CgroupRootOptions): void;

  /*
   * Netlink (rtnetlink over a NETLINK_ROUTE socket; no `ip` command). Interface names are at most 15
   * bytes without '/', ':' or whitespace (ERR_INVALID_ARG_VALUE otherwise). Errors are SystemErrors
   * whose `syscall` is the rtnetlink message (RTM_NEWLINK …), `path` the link, and whose message
   * names the operation and carries the kernel's extended-ack text in parentheses when it gave one.
   * A name that does not exist is ENODEV. With `options.netns` the call runs on a fresh thread inside
   * that namespace; Node's threads never change namespace.
   */
  /** The link called `name`, or null. */
  linkGet(name: string, options?: NetnsOptions): NetLink | null;
  /** Links whose names start with `prefix` ('' for all). */
  linkList(prefix: string, options?: NetnsOptions): NetLink[];
  /** Creates a bridge, down and without addresses (EEXIST when the name is taken). */
  bridgeCreate(name: string, options?: LinkCreateOptions): void;
  /** Creates a veth pair `name` <-> `peer`, both down; the peer in `options.peerNetns` when given. */
  vethCreate(name: string, peer: string, options?: LinkCreateOptions): void;
  /** Renames / sets MTU, MAC, master, up or down, in one request. */
  linkSet(name: string, change: LinkSetChange, options?: NetnsOptions): void;
  /** Moves a link into another network namespace (by pid or namespace file), renamed there if asked. */
  linkSetNetns(name: string, target: NetnsTarget, options?: NetnsOptions): void;
  /** Bridge-port options (isolated, hairpin) of a link enslaved to a bridge. */
  bridgePortSet(name: string, change: BridgePortChange, options?: NetnsOptions): void;
  /** Deletes a link; a veth takes its peer with it. */
  linkDelete(name: string, options?: NetnsOptions): void;
  /**
   * linkDelete on a libuv pool thread: deleting a device waits out an RCU grace period (~20 ms
   * on a busy host) that must not stall the event loop. Rejects with the same SystemError shape.
   */
  linkDeleteAsync(name: string, options?: NetnsOptions): Promise<void>;
  /**
   * Resolves once link `name` is gone (or was never there): removed by someone else, typically the
   * kernel along with the dying namespace of a veth's peer. Rejects with code ETIMEDOUT when it is
   * still there after `timeoutMs`. Waits on a libuv pool thread.
   */
  linkGoneAsync(name: string, timeoutMs: number, options?: NetnsOptions): Promise<void>;
  /**
   * Makes a network namespace with `lo` up (on a pool thread) and resolves to an fd of it
   * (close-on-exec) that keeps it alive until closed; others join it as /proc/<pid>/fd/<fd>.
   */
  netnsCreate(): Promise<number>;
  /**
   * Runs a program to its end on a pool thread, with posix_spawn (the daemon is not forked: no
   * page tables copied); stdin /dev/null, its own process group, `env` added to the daemon's.
   */
  spawnCollect(program: string, args: string[], options?: SpawnOptions): Promise<SpawnResult>;
  /** Adds an IPv4 address ("10.88.0.1/16", with the subnet's broadcast) to a link. */
  addressAdd(name: string, cidr: string, options?: NetnsOptions): void;
  /** Removes an IPv4 address (EADDRNOTAVAIL when absent). */
  addressDelete(name: string, cidr: string, options?: NetnsOptions): void;
  /** The IPv4 addresses of a link. */
  addressList(name: string, options?: NetnsOptions): NetAddress[];
  /** Adds the default route via `gateway` (EEXIST when there is one). */
  routeAddDefault(gateway: string, options?: RouteOptions): void;
  /** Removes the default route via `gateway` (ESRCH when there is none). */
  routeDeleteDefault(gateway: string, options?: NetnsOptions): void;
  /**
   * In the namespace at `netns`, on one thread: lo up, the interface renamed / given its MAC and MTU,
   * its address, up, and the default route, off the event loop. Resolves to the configured link.
   */
  interfaceConfigure(netns: string, config: InterfaceConfigure): Promise<NetLink>;
  /** Writes a networking sysctl, given as a /proc/sys path under net/ ("net/ipv4/conf/berth0/route_localnet"). */
  sysctlWrite(key: string, value: string, options?: NetnsOptions): void;
  /** Reads a networking sysctl (trailing newline removed). */
  sysctlRead(key: string, options?: NetnsOptions): string;

  /**
   * Calls `callback(null, pid)` once process `pid` has exited, through a pidfd served by one
   * addon thread (never the libuv pool, never waitpid): any process, not only our children, and
   * nothing is reaped. Always asynchronous, also for a process already gone. A pending watch keeps
   * the event loop alive; none remains once every callback has run. Throws a SystemError
   * (`syscall` 'pidfd_open', message naming the pid) when the pid cannot be watched: EINVAL for 0
   * or a negative pid. `err` is only set if the watcher thread itself fails.
   */
  watchPid(pid: number, callback: (err: Error | null, pid: number) => void): void;

  /**
   * Copies a file into a memfd named `name`, sealed against every change, and returns its fd
   * (close-on-exec, open for the life of the process): the berth-helper runs from it, so no
   * container can reach the binary on disk through /proc/PID/exe.
   */
  sealedCopy(path: string, name: string): number;
}

/** Every function of NativeAddon: a build missing one is stale. */
const EXPORTS: ReadonlyArray<keyof NativeAddon> = [
  'kernelProbe',
  'mountOverlay',
  'unmount',
  'bindMount',
  'mountTmpfs',
  'isMountpoint',
  'mknod',
  'lsetxattr',
  'lgetxattr',
  'llistxattr',
  'lchown',
  'utimensNoFollow',
  'syncFs',
  'cgroupCreate',
  'cgroupUpdate',
  'cgroupAddProcess',
  'cgroupFreeze',
  'cgroupThaw',
  'cgroupStats',
  'cgroupOomKills',
  'cgroupPids',
  'cgroupDestroy',
  'linkGet',
  'linkList',
  'bridgeCreate',
  'vethCreate',
  'linkSet',
  'linkSetNetns',
  'bridgePortSet',
  'linkDelete',
  'linkDeleteAsync',
  'linkGoneAsync',
  'netnsCreate',
  'spawnCollect',
  'addressAdd',
  'addressDelete',
  'addressList',
  'routeAddDefault',
  'routeDeleteDefault',
  'interfaceConfigure',
  'sysctlWrite',
  'sysctlRead',
  'watchPid',
  'sealedCopy',
];

/** Environment variable that points straight at a .node file, bypassing the repo lookup. */
export const NATIVE_PATH_ENV = 'BERTH_NATIVE_PATH';

const BUILD_HINT = 'run `npm run build:native` first';

// The repo root is the first ancestor holding the crate; this file runs from drivers/native/ (source)
// or dist/drivers/native/ (compiled), so a fixed number of `..` would be wrong for one of them.
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'native', 'Cargo.toml'))) return dir;
    if (path.dirname(dir) === dir) {
      throw new Error(`berth native addon: no repository root (with native/Cargo.toml) above ${start}`);
    }
  }
}

// `napi build --platform` names the file after the target; libc is the one part we cannot read from
// process, so accept whichever flavour was built here.
function candidateNames(): string[] {
  const base = `berth-native.${process.platform}-${process.arch}`;
  return process.platform === 'linux' ? [`${base}-gnu.node`, `${base}-musl.node`] : [`${base}.node`];
}

/** Where the addon is expected: $BERTH_NATIVE_PATH, else the built file under <repo>/native/. */
export function nativeAddonPath(): string {
  const override = process.env[NATIVE_PATH_ENV];
  if (override) return path.resolve(override);
  const dir = path.join(findRepoRoot(path.dirname(fileURLToPath(import.meta.url))), 'native');
  const names = candidateNames();
  const found = names.find((name) => existsSync(path.join(dir, name)));
  return path.join(dir, found ?? names[0]);
}

function missingExports(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [...EXPORTS];
  return EXPORTS.filter((name) => typeof Reflect.get(value, name) !== 'function');
}

function isNativeAddon(value: unknown): value is NativeAddon {
  return missingExports(value).length === 0;
}

function load(file: string): NativeAddon {
  if (!existsSync(file)) {
    const via = process.env[NATIVE_PATH_ENV] ? ` (from ${NATIVE_PATH_ENV})` : '';
    throw new Error(`berth native addon not found at ${file}${via}: ${BUILD_HINT}`);
  }
  const loaded: unknown = createRequire(import.meta.url)(file);
  if (!isNativeAddon(loaded)) {
    const missing = missingExports(loaded).join(', ');
    throw new Error(`berth native addon at ${file} lacks exports ${missing} (stale build?): ${BUILD_HINT}`);
  }
  return loaded;
}

let cached: NativeAddon | undefined;

/** Loads the addon once per process and returns it; throws an Error naming the fix when it is missing. */
export function loadNative(): NativeAddon {
  cached ??= load(nativeAddonPath());
  return cached;
}
