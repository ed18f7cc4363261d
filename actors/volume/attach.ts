import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { invalidParameter } from '../../protocol/errdefs.js';
import type { MountPoint } from '../../protocol/types/containers.js';
import { defaultFileOps } from '../../drivers/graph/native.js';
import { entryParts, lstatInside } from '../../drivers/graph/paths.js';
import { copyTree } from '../../drivers/graph/tree.js';
import type { EngineContext } from '../context.js';
import { isEmptyDir } from '../services/volumes/local.js';
import { publishVolumeCreate } from './create.js';
import { publishVolumeDestroy } from './delete.js';
import type { PlannedMount } from './parse.js';

/** A bind's host path: `-v` makes a missing one (as dockerd does), `--mount` refuses it. */
async function bindSource(m: PlannedMount): Promise<void> {
  const st = await fsp.stat(m.Source).catch(() => null);
  if (st) return;
  if (!m.makeSource) throw invalidParameter(`invalid mount config for type "bind": bind source path does not exist: ${m.Source}`);
  await fsp.mkdir(m.Source, { recursive: true, mode: 0o755 });
}

/**
 * Copies what the image has at `dst` into an empty volume, as dockerd does on a volume's first use.
 * The path is resolved under the rootfs without following symlinks: an image pointing it at the host
 * copies nothing.
 */
async function copyUp(rootfs: string, dst: string, data: string): Promise<void> {
  const st = await lstatInside(rootfs, entryParts(dst), dst).catch(() => null);
  if (!st?.isDirectory() || !(await isEmptyDir(data))) return;
  await copyTree(defaultFileOps(), path.join(rootfs, ...entryParts(dst)), data);
}

/** Takes one volume for a container; copies the image's content in when asked. */
async function takeVolume(ctx: EngineContext, id: string, m: PlannedMount, rootfs: () => Promise<string>): Promise<MountPoint> {
  const { volume, created } = await ctx.call('volumes', 'acquire', [m.Name, id, m.labels]);
  if (created) publishVolumeCreate(ctx, volume);
  if (m.copy) await copyUp(await rootfs(), m.Destination, volume.Mountpoint);
  return { Type: 'volume', Name: volume.Name, Source: volume.Mountpoint, Destination: m.Destination, Driver: volume.Driver, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation };
}

/**
 * Makes a new container's mounts real: bind sources checked (or made), volumes taken (made on demand,
 * anonymous ones for `-v /path` and the image's VOLUMEs) and filled from the image. Returns inspect's
 * MountPoints. On failure the volumes taken so far are let go (anonymous ones removed).
 */
export async function attachMounts(ctx: EngineContext, id: string, rwLayer: string, planned: PlannedMount[]): Promise<MountPoint[]> {
  let mounted: string | null = null;
  const rootfs = async () => (mounted ??= await ctx.call('graphdriver', 'get', [rwLayer]));
  const out: MountPoint[] = [];
  try {
    for (const m of planned) {
      if (m.Type === 'volume') out.push(await takeVolume(ctx, id, m, rootfs));
      else {
        if (m.Type === 'bind') await bindSource(m);
        out.push({ Type: m.Type, Source: m.Source, Destination: m.Destination, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation });
      }
    }
    return out;
  } catch (err) {
    await detachMounts(ctx, id, true).catch(() => undefined);
    throw err;
  } finally {
    if (mounted !== null) await ctx.call('graphdriver', 'put', [rwLayer]);
  }
}

/** A container lets go of its volumes; with `removeAnonymous` (`rm -v`, `--rm`) its anonymous ones go. */
export async function detachMounts(ctx: EngineContext, id: string, removeAnonymous: boolean): Promise<void> {
  for (const name of await ctx.call('volumes', 'release', [id, removeAnonymous])) publishVolumeDestroy(ctx, name);
}
