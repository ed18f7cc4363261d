/**
 * The OCI runtime-spec config.json subset berth's runtime reads (native/src/bin/berth-helper/spec.rs
 * is the other side), plus the berth annotations. Field names are the spec's.
 */

/** Annotation: comma-separated cgroup.procs files the init joins before exec. */
export const ANNOTATION_CGROUP_PROCS = 'berth.cgroup.procs';
/** Annotation: the container's cgroup path relative to the hierarchies (pause, stats, OOM). */
export const ANNOTATION_CGROUP_PATH = 'berth.cgroup.path';
/** Annotation: "open" keeps the container's stdin open as a pipe. */
export const ANNOTATION_STDIN = 'berth.stdin';

/** Numeric credentials (names are resolved by the engine from the image's /etc/passwd). */
export interface OciUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
  umask?: number;
}

/** Capability sets by name (CAP_CHOWN, …). */
export interface OciCapabilities {
  bounding?: string[];
  effective?: string[];
  permitted?: string[];
  ambient?: string[];
}

/** One rlimit (RLIMIT_NOFILE, …). */
export interface OciRlimit {
  type: string;
  hard: number;
  soft: number;
}

/** A process: the container's, or one started by exec. */
export interface OciProcess {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user?: OciUser;
  args: string[];
  env?: string[];
  cwd?: string;
  capabilities?: OciCapabilities;
  rlimits?: OciRlimit[];
  noNewPrivileges?: boolean;
}

/** A mount, in order. */
export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

/** pid, network, mount, ipc, uts, user, cgroup; with a path: join it. */
export interface OciNamespace {
  type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';
  path?: string;
}

/** One uid/gid map line. */
export interface OciIdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** One seccomp rule: these syscalls (under these argument conditions) get this action. */
export interface OciSeccompRule {
  names: string[];
  /** SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL(_THREAD|_PROCESS), SCMP_ACT_TRAP, SCMP_ACT_LOG, SCMP_ACT_TRACE. */
  action: string;
  errnoRet?: number;
  args?: Array<{ index: number; value: number; valueTwo?: number; op: string }>;
}

/** A seccomp profile (linux.seccomp), Docker's shape. */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  syscalls?: OciSeccompRule[];
}

/** config.json. */
export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts?: OciMount[];
  linux?: {
    namespaces?: OciNamespace[];
    uidMappings?: OciIdMapping[];
    gidMappings?: OciIdMapping[];
    maskedPaths?: string[];
    readonlyPaths?: string[];
    sysctl?: Record<string, string>;
    seccomp?: OciSeccomp;
  };
  annotations?: Record<string, string>;
}
