/**
 * The body of POST /containers/create from `create` / `run` flags, field for field what the docker
 * CLI sends (its zero values included, so a daemon sees the same document from either CLI).
 */
import type { ContainerCreateRequest, HostConfig } from '../../protocol/types/containers.js';
import { containerEnv, expandEnv, labelEntries } from './env.js';
import { FlagError, OptionError, flagValue } from './errors.js';
import type { CreateFlags } from './flags.js';
import { parseMount, tmpfsMap, volumeSpecs } from './mounts.js';
import { effectiveCaps, keyValueMap, parseBytes, parseCpus, parseInteger, parseRestart, parseSwap } from './parse.js';
import { portMaps } from './ports.js';
import { securityOpts } from './security-opt.js';
import type { TtySize } from '../tty.js';

/** What `create` / `run` will send: the body and the `name` query parameter. */
export interface CreatePlan {
  body: ContainerCreateRequest;
  name: string | undefined;
}

// The EndpointSettings docker 28 sends for the default network when --network is not given: all zero values.
const ENDPOINT = {
  IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: '', EndpointID: '',
  Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null,
};

// Options whose parse errors docker reports as OptionError (`docker: …`) rather than as a flag value.
function option<T>(make: () => T): T {
  try {
    return make();
  } catch (err) {
    throw err instanceof FlagError ? err : new OptionError((err as Error).message);
  }
}

function optional<T>(flag: string, value: string | undefined, parse: (v: string) => T, zero: T): T {
  return value === undefined ? zero : flagValue(flag, value, parse);
}

/** Which streams to attach (docker: stdin with -i; stdout and stderr unless -a picks). */
function attachments(f: CreateFlags): { stdin: boolean; stdout: boolean; stderr: boolean } {
  const picked = f.attach ?? [];
  const all = picked.length === 0;
  return { stdin: f.interactive || picked.includes('stdin'), stdout: all || picked.includes('stdout'), stderr: all || picked.includes('stderr') };
}

/** --log-driver and --log-opt k=v (docker refuses options for the none driver). */
function logConfig(f: CreateFlags): { Type: string; Config: Record<string, string> } {
  const Type = f['log-driver'] ?? '';
  const opts = f['log-opt'] ?? [];
  if (Type === 'none' && opts.length > 0) throw new Error(`invalid logging opts for driver ${Type}`);
  return { Type, Config: keyValueMap(opts) };
}

interface Parsed {
  ports: ReturnType<typeof portMaps>;
  volumes: ReturnType<typeof volumeSpecs>;
}

function hostConfig(f: CreateFlags, { ports, volumes }: Parsed, console: TtySize | undefined): HostConfig {
  const restart = option(() => parseRestart(f.restart));
  if (f.rm && restart.Name !== 'no' && restart.Name !== '') throw new OptionError('conflicting options: cannot specify both --restart and --rm');
  const mounts = (f.mount ?? []).map((m) => flagValue('--mount', m, parseMount));
  const caps = effectiveCaps(f['cap-add'] ?? [], f['cap-drop'] ?? []);
  // Go's field order and zero values; undefined leaves out what docker omits when empty.
  return {
    Binds: volumes.Binds, ContainerIDFile: '', LogConfig: option(() => logConfig(f)), NetworkMode: f.network ?? 'default',
    PortBindings: ports.PortBindings, RestartPolicy: restart, AutoRemove: f.rm, VolumeDriver: '', VolumesFrom: null,
    ConsoleSize: console ? [console.rows, console.cols] : [0, 0], CapAdd: caps.CapAdd, CapDrop: caps.CapDrop, CgroupnsMode: '',
    Dns: f.dns ?? [], DnsOptions: f['dns-option'] ?? [], DnsSearch: f['dns-search'] ?? [], ExtraHosts: f['add-host'] ?? null,
    GroupAdd: null, IpcMode: '', Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '',
    Privileged: f.privileged, PublishAllPorts: f['publish-all'], ReadonlyRootfs: f['read-only'], SecurityOpt: option(() => securityOpts(f['security-opt'] ?? [])),
    Tmpfs: tmpfsMap(f.tmpfs ?? []), UTSMode: '', UsernsMode: '', ShmSize: 0, Isolation: '',
    CpuShares: optional('-c, --cpu-shares', f['cpu-shares'], parseInteger, 0),
    Memory: optional('-m, --memory', f.memory, parseBytes, 0),
    NanoCpus: optional('--cpus', f.cpus, parseCpus, 0),
    CgroupParent: '', BlkioWeight: 0, BlkioWeightDevice: [], BlkioDeviceReadBps: [], BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [], BlkioDeviceWriteIOps: [],
    CpuPeriod: optional('--cpu-period', f['cpu-period'], parseInteger, 0),
    CpuQuota: optional('--cpu-quota', f['cpu-quota'], parseInteger, 0),
    CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: f['cpuset-cpus'] ?? '', CpusetMems: f['cpuset-mems'] ?? '',
    Devices: [], DeviceCgroupRules: null, DeviceRequests: null,
    MemoryReservation: optional('--memory-reservation', f['memory-reservation'], parseBytes, 0),
    MemorySwap: optional('--memory-swap', f['memory-swap'], parseSwap, 0),
    MemorySwappiness: -1, OomKillDisable: false,
    PidsLimit: optional('--pids-limit', f['pids-limit'], parseInteger, 0),
    Ulimits: [], CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0,
    Mounts: mounts.length > 0 ? mounts : undefined, MaskedPaths: null, ReadonlyPaths: null, Init: f.init ? true : undefined,
  };
}

/**
 * The create request for `image` and its command. `console` is the terminal's size when a TTY is
 * asked for on one (docker sends it so the first frame is drawn at the right size).
 */
export function createPlan(f: CreateFlags, image: string, cmd: readonly string[], console?: TtySize): CreatePlan {
  const attach = attachments(f);
  (f.env ?? []).forEach((e) => flagValue('-e, --env', e, expandEnv));
  const env = option(() => containerEnv(f['env-file'] ?? [], f.env ?? []));
  const labels = option(() => keyValueMap(labelEntries(f['label-file'] ?? [], f.label ?? [])));
  const ports = option(() => portMaps(f.publish ?? [], f.expose ?? []));
  const volumes = option(() => volumeSpecs(f.volume ?? []));
  const body: ContainerCreateRequest = {
    Hostname: f.hostname ?? '', Domainname: f.domainname ?? '', User: f.user ?? '',
    AttachStdin: attach.stdin, AttachStdout: attach.stdout, AttachStderr: attach.stderr,
    ExposedPorts: Object.keys(ports.ExposedPorts).length > 0 ? ports.ExposedPorts : undefined,
    Tty: f.tty, OpenStdin: f.interactive,
    // Stdin attached and open: the container's stdin closes when the client's input ends.
    StdinOnce: f.interactive && attach.stdin,
    Env: env, Cmd: cmd.length > 0 ? [...cmd] : null, Image: image,
    Volumes: volumes.Volumes, WorkingDir: f.workdir ?? '',
    // `--entrypoint ""` resets the image's entrypoint, which docker says with [""].
    Entrypoint: f.entrypoint === undefined ? null : [f.entrypoint],
    OnBuild: null, Labels: labels,
    StopSignal: f['stop-signal'] || undefined,
    StopTimeout: f['stop-timeout'] === undefined ? undefined : flagValue('--stop-timeout', f['stop-timeout'], parseInteger),
    HostConfig: hostConfig(f, { ports, volumes }, f.tty ? console : undefined),
    NetworkingConfig: { EndpointsConfig: f.network === undefined ? { default: { ...ENDPOINT } } : {} },
  };
  return { body, name: f.name };
}

/** What `run -d` changes: nothing attached, so stdin is not closed with a client that never came. */
export function detached(body: ContainerCreateRequest): ContainerCreateRequest {
  return { ...body, AttachStdin: false, AttachStdout: false, AttachStderr: false, StdinOnce: false };
}
