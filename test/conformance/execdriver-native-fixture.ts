/**
 * The native backend under test: a busybox rootfs, a cgroup per container (made with the addon,
 * as the engine will), paths under one tmp dir, and a teardown that kills whatever a failed test
 * left running (by the pids in STATE/shim.json) and removes the cgroups and files.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';

import { cgroupProcsFiles } from '../../drivers/exec/cgroups.js';
import { defaultSpec } from '../../drivers/exec/defaults.js';
import { helperPath } from '../../drivers/exec/helper-path.js';
import { NativeBackend } from '../../drivers/exec/native.js';
import { ANNOTATION_CGROUP_PATH, ANNOTATION_CGROUP_PROCS, type OciSpec } from '../../drivers/exec/spec.js';
import { loadNative, type CgroupResources } from '../../drivers/native/addon.js';
import { probes } from '../helpers/probes.js';
import { buildRootfs, busyboxMissing } from '../helpers/rootfs.js';
import type { ExecFixture } from './execdriver.js';

/** Why the native backend cannot run here, or false. */
export function nativeMissing(): false | string {
  const helper = helperPath();
  return probes.root() || busyboxMissing() || (existsSync(helper) ? false : `needs the helper at ${helper} (npm run build:helper)`);
}

/** The native fixture plus what integration tests need beyond the conformance suite. */
export interface NativeFixture extends ExecFixture {
  root: string;
  rootfs: string;
  /** A spec for `sh -c script` with cgroup limits. */
  specWith(script: string, resources?: CgroupResources): OciSpec;
  /** Kills leftovers, removes cgroups and files (also run at teardown; safe twice). */
  cleanup(): Promise<void>;
  /** The cgroup path of the last spec made. */
  lastCgroup(): string;
}

/** Builds the fixture; its teardown is registered on `t`. */
export function nativeFixture(t: Test): NativeFixture {
  const root = mkdtempSync(path.join(os.tmpdir(), 'berth-execnative-'));
  // Traversable by the unprivileged host uids a user namespace maps the container's root to.
  chmodSync(root, 0o755);
  const rootfs = buildRootfs(path.join(root, 'rootfs'));
  const group = `berth-test-${process.pid}-${path.basename(root)}`;
  const cgroups: string[] = [];
  const states: string[] = [];
  let n = 0;
  const specWith = (script: string, resources?: CgroupResources): OciSpec => {
    const spec = defaultSpec({ rootfs, args: ['sh', '-c', script], env: ['PATH=/bin'], hostname: 'berthbox' });
    const cg = `${group}/c${++n}`;
    loadNative().cgroupCreate(cg, resources);
    cgroups.push(cg);
    spec.annotations = { [ANNOTATION_CGROUP_PATH]: cg, [ANNOTATION_CGROUP_PROCS]: cgroupProcsFiles(cg).join(',') };
    return spec;
  };
  const cleanup = async () => {
    for (const s of states) killLeftover(s);
    await new Promise((r) => setTimeout(r, 300));
    for (const cg of cgroups.splice(0)) loadNative().cgroupDestroy(cg);
    loadNative().cgroupDestroy(group);
    rmSync(root, { recursive: true, force: true });
  };
  t.teardown(cleanup);
  return {
    root,
    rootfs,
    specWith,
    cleanup,
    lastCgroup: () => cgroups[cgroups.length - 1]!,
    backend: () => new NativeBackend({ lingerSeconds: 5 }),
    spec: (script) => specWith(script),
    paths: (id) => {
      const dir = path.join(root, 'c', `${id}-${++n}`);
      states.push(path.join(dir, 'state'));
      return { bundle: path.join(dir, 'bundle'), state: path.join(dir, 'state'), log: path.join(dir, 'log.json') };
    },
  };
}

// A failed test may leave a container running: kill it (its shim then exits on its own).
function killLeftover(state: string): void {
  try {
    const { pid } = JSON.parse(readFileSync(path.join(state, 'shim.json'), 'utf8')) as { pid: number };
    if (!existsSync(path.join(state, 'exit.json'))) process.kill(pid, 'SIGKILL');
  } catch {
    // Nothing was started there, or it is gone already.
  }
}
