/**
 * Docker's default container spec (moby oci/defaults.go): namespaces, mounts, masked and
 * read-only paths, the default capability set. The engine starts from this and applies HostConfig.
 */
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

/**
 * berth's default seccomp profile, for now a denylist rather than Docker's allowlist (issue 3): it
 * refuses what Docker's profile refuses a container without extra capabilities — kernel modules and
 * keyrings, mounts and namespaces, clocks, reboot and swap, tracing other processes, bpf and perf —
 * and answers clone3 with ENOSYS so that libcs fall back to clone, as Docker does.
 */
export const DEFAULT_SECCOMP: OciSeccomp = {
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [
    {
      names: [
        'acct', 'add_key', 'bpf', 'clock_adjtime', 'clock_settime', 'create_module', 'delete_module', 'finit_module',
        'fsconfig', 'fsmount', 'fsopen', 'fspick', 'get_kernel_syms', 'init_module', 'ioperm', 'iopl', 'kcmp',
        'kexec_file_load', 'kexec_load', 'keyctl', 'lookup_dcookie', 'mount', 'mount_setattr', 'move_mount',
        'name_to_handle_at', 'nfsservctl', 'open_by_handle_at', 'open_tree', 'perf_event_open', 'pivot_root',
        'process_vm_readv', 'process_vm_writev', 'ptrace', 'query_module', 'quotactl', 'reboot', 'request_key',
        'setns', 'settimeofday', 'swapoff', 'swapon', 'sysfs', '_sysctl', 'umount2', 'unshare', 'uselib',
        'userfaultfd', 'ustat', 'vm86', 'vm86old',
      ],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 1,
    },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
  ],
};

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
      seccomp: structuredClone(DEFAULT_SECCOMP),
    },
    annotations: {},
  };
}
