/**
 * Docker's default container spec (moby oci/defaults.go): namespaces, mounts, masked and
 * read-only paths, the default capability set and seccomp profile. The engine starts from this and applies HostConfig.
 */
import { DOCKER_DEFAULT_PROFILE } from './seccomp/default-profile.js';
import { resolveSeccomp } from './seccomp/resolve.js';
import type { OciMount, OciSeccomp, OciSpec } from './spec.js';

/** Docker's default capabilities. */
export const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Docker's masked paths. */
export const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

/** Docker's read-only paths. */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Docker's default mounts. */
export const DEFAULT_MOUNTS: OciMount[] = [
  { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
  { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
  { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
  { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
  { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
];

/** Docker's default seccomp profile made concrete for a container with these capabilities. */
export function defaultSeccomp(caps: readonly string[]): OciSeccomp {
  return resolveSeccomp(DOCKER_DEFAULT_PROFILE, { caps });
}

/** What varies per container in the default spec. */
export interface DefaultSpecOptions {
  rootfs: string;
  args: string[];
  env?: string[];
  hostname?: string;
  cwd?: string;
  terminal?: boolean;
  uid?: number;
  gid?: number;
  /** A private cgroup namespace (Docker's default on cgroup v2 hosts). */
  cgroupns?: boolean;
}

/** Docker's default spec for one process in `rootfs`. */
export function defaultSpec(o: DefaultSpecOptions): OciSpec {
  const caps = [...DEFAULT_CAPS];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: o.terminal ?? false,
      user: { uid: o.uid ?? 0, gid: o.gid ?? 0 },
      args: o.args,
      env: o.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: o.cwd ?? '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: false,
    },
    root: { path: o.rootfs, readonly: false },
    hostname: o.hostname,
    mounts: DEFAULT_MOUNTS.map((m) => ({ ...m, options: [...(m.options ?? [])] })),
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }, ...(o.cgroupns ? [{ type: 'cgroup' as const }] : [])],
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
      seccomp: defaultSeccomp(caps),
    },
    annotations: {},
  };
}
