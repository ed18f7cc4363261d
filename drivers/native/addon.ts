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

/**
 * The addon's exports. Failed syscalls throw an Error shaped like Node's SystemError
 * (`code`, negative `errno`, `syscall`, `path`); unparsable kernel data throws code ERR_BERTH_KERNEL_DATA.
 */
export interface NativeAddon {
  kernelProbe(): KernelProbe;
}

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

function isNativeAddon(value: unknown): value is NativeAddon {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'kernelProbe') === 'function';
}

function load(file: string): NativeAddon {
  if (!existsSync(file)) {
    const via = process.env[NATIVE_PATH_ENV] ? ` (from ${NATIVE_PATH_ENV})` : '';
    throw new Error(`berth native addon not found at ${file}${via}: ${BUILD_HINT}`);
  }
  const loaded: unknown = createRequire(import.meta.url)(file);
  if (!isNativeAddon(loaded)) {
    throw new Error(`berth native addon at ${file} lacks expected exports (stale build?): ${BUILD_HINT}`);
  }
  return loaded;
}

let cached: NativeAddon | undefined;

/** Loads the addon once per process and returns it; throws an Error naming the fix when it is missing. */
export function loadNative(): NativeAddon {
  cached ??= load(nativeAddonPath());
  return cached;
}
