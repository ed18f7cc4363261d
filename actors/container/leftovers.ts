/**
 * What a run leaves when the daemon dies in the middle of it: killed (-9) after a start spawned the
 * shim but before it recorded 'started', or during the release that follows an exit. The record
 * then says created, exited or still running, while a shim (with its init waiting), the cgroup, the
 * rootfs mount and the network endpoint may still be there. restore.ts finds and releases them so
 * that nothing of a run outlives it; the record is the caller's to keep or change.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { ContainerState as RuntimeState } from '../../drivers/exec/backend.js';
import { cgroupProcsFiles } from '../../drivers/exec/cgroups.js';
import { containerCgroup, destroyCgroup, killCgroup } from '../../drivers/exec/resources.js';
import type { EngineContext } from '../context.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { containerPaths } from './files.js';
import { disconnectNetworks } from './network.js';

/** How long a killed leftover init may take to be reaped by its shim. */
const KILL_WAIT_MS = 10_000;

/** `\040`-style escapes of /proc/self/mountinfo, undone. */
function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The mount points under `root` right now (a container's rootfs is among them while mounted). */
export function mountsUnder(root: string, mountinfo = '/proc/self/mountinfo'): string[] {
  let text: string;
  try {
    text = readFileSync(mountinfo, 'utf8');
  } catch {
    return [];
  }
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return text
    .split('\n')
    .map((line) => unescapeMount(line.split(' ')[4] ?? ''))
    .filter((m) => m.startsWith(prefix));
}

/** Whether one of `mounts` is the rootfs of `r` (its rw layer's directory is named by the layer id). */
function rootfsMounted(r: ContainerRecord, mounts: string[]): boolean {
  return mounts.some((m) => m.split('/').includes(r.rwLayer));
}

/**
 * Whether a container the record says is not running still has something of a run: its runtime
 * state dir (where the shim's socket lives), its cgroup, or its rootfs mount.
 */
export function hasLeftovers(ctx: EngineContext, r: ContainerRecord, mounts: string[]): boolean {
  if (existsSync(containerPaths(ctx.config, r.Id).state)) return true;
  if (ctx.runtime === 'native' && cgroupProcsFiles(containerCgroup(r.Id)).length > 0) return true;
  return rootfsMounted(r, mounts);
}

/**
 * Ends what the runtime still has of a container: adopts its shim, kills its init (a start's init
 * waits forever for the 'start' that never came) and waits for it, then has the shim shut down and
 * its state removed. Without a shim to talk to, the state dir goes by hand.
 */
async function stopRuntime(ctx: EngineContext, r: ContainerRecord): Promise<void> {
  const p = containerPaths(ctx.config, r.Id);
  if (!existsSync(p.state)) return;
  try {
    const s = await ctx.ask<RuntimeState>('execdriver', { type: 'exec.reattach', id: r.Id, paths: { bundle: p.bundle, state: p.state, log: p.log } });
    if (s.status !== 'exited') {
      await ctx.ask('execdriver', { type: 'exec.kill', id: r.Id, signal: 'SIGKILL' });
      await ctx.ask('execdriver', { type: 'exec.wait', id: r.Id }, KILL_WAIT_MS);
    }
    await ctx.ask('execdriver', { type: 'exec.clean', id: r.Id });
  } catch (err) {
    ctx.log.warn(`restore ${r.Id.slice(0, 12)}: runtime leftovers: ${(err as Error).message}`);
    await rm(p.state, { recursive: true, force: true });
  }
}

/**
 * Releases what a lost run holds besides the runtime: network endpoints (veths, addresses, port
 * holds), the cgroup (with any process still in it) and the rootfs mount. Each step on its own, so
 * one failure does not keep the others.
 */
export async function releaseRun(ctx: EngineContext, r: ContainerRecord, mounts: string[]): Promise<void> {
  await disconnectNetworks(ctx, r.Id);
  if (ctx.runtime === 'native') {
    killCgroup(containerCgroup(r.Id));
    try {
      destroyCgroup(containerCgroup(r.Id));
    } catch (e) {
      ctx.log.warn(`restore ${r.Id.slice(0, 12)}: cgroup: ${(e as Error).message}`);
    }
  }
  if (!rootfsMounted(r, mounts)) return;
  // After a restart the graph driver holds no reference: get adopts the mount left, put unmounts it.
  try {
    await ctx.call('graphdriver', 'get', [r.rwLayer]);
    await ctx.call('graphdriver', 'put', [r.rwLayer]);
  } catch (e) {
    ctx.log.warn(`restore ${r.Id.slice(0, 12)}: unmount: ${(e as Error).message}`);
  }
}

/** Ends and releases everything a run of `r` left (see the module comment); the record is untouched. */
export async function releaseLeftovers(ctx: EngineContext, r: ContainerRecord, mounts: string[]): Promise<void> {
  await stopRuntime(ctx, r);
  await releaseRun(ctx, r, mounts);
}
