/**
 * Mounters for the overlay conformance run, best first: the native addon, mount(8), and a fake that
 * materialises the merged view by copying (for root hosts without overlayfs). Plus a mountinfo-based
 * sweep so a failed test never leaves a mount behind.
 */
import { execFile } from 'node:child_process';
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { applyLayer } from '../../drivers/graph/apply.js';
import { exportUpper } from '../../drivers/graph/export.js';
import type { FileOps } from '../../drivers/graph/fileops.js';
import { type Mounter, hasNativeMounts, nativeMounter } from '../../drivers/graph/native.js';

const run = promisify(execFile);

/** mount(8) and umount(8), for hosts whose addon lacks mountOverlay. */
export const commandMounter: Mounter = {
  async mountOverlay(target, { lowerdirs, upperdir, workdir }) {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowerdirs.join(':')},upperdir=${upperdir},workdir=${workdir}`, target]);
  },
  async unmount(target) {
    await run('umount', [target]);
  },
};

/**
 * A Mounter that copies: lowers (deepest first), then the upper, applied onto the target as
 * OCI diffs. Writes to the "mount" never reach the upper dir, so live-write tests skip with it.
 */
export function copyingMounter(ops: FileOps): Mounter {
  return {
    async mountOverlay(target, { lowerdirs, upperdir }) {
      for (const dir of [...lowerdirs].reverse().concat(upperdir)) {
        await applyLayer(target, exportUpper(ops, dir), { whiteouts: 'delete', fileOps: ops });
      }
    },
    async unmount(target) {
      for (const name of await fsp.readdir(target)) await fsp.rm(path.join(target, name), { recursive: true, force: true });
    },
  };
}

function decodeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount points at or under `dir`, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  const info = readFileSync('/proc/self/mountinfo', 'utf8');
  const points = info.split('\n').filter(Boolean).map((line) => decodeMountPath(line.split(' ')[4] ?? ''));
  return points.filter((p) => p === dir || p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

/** Unmounts whatever is still mounted under `dir`; returns what it had to unmount. */
export async function unmountUnder(dir: string): Promise<string[]> {
  const left = mountsUnder(dir);
  for (const point of left) await commandMounter.unmount(point).catch(() => run('umount', ['-l', point]));
  return left;
}

/** The mounter to test with and why, or null with the reason overlay cannot be tested here. */
export function pickMounter(ops: FileOps): { mounter: Mounter; kind: string; live: boolean } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'overlay needs root (whiteout devices, trusted.* xattrs, mounts)' };
  if (!ops.xattrs) return { skip: 'overlay needs xattrs (opaque directories): no addon export and no python3' };
  const forced = process.env.BERTH_TEST_MOUNTER;
  const overlayFs = readFileSync('/proc/filesystems', 'utf8').includes('\toverlay\n');
  if (forced === 'fake' || (!forced && !overlayFs)) return { mounter: copyingMounter(ops), kind: 'fake (copying)', live: false };
  if (forced === 'command' || (!forced && !hasNativeMounts())) return { mounter: commandMounter, kind: 'mount(8)', live: true };
  return { mounter: nativeMounter, kind: 'native addon', live: true };
}
