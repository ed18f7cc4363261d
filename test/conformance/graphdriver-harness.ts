/**
 * Shared set-up of the graph driver conformance suite: a backend over a fresh tmpdir (unmounted and
 * removed in teardown), the L1→L2→L3 chain, and tree readers that get/put around each look.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';

import type { GraphBackend } from '../../drivers/graph/backend.js';
import type { FileOps } from '../../drivers/graph/fileops.js';
import { type TarSpec, layerStream } from '../helpers/tar.js';
import type { TestFileOps } from '../helpers/tar-fileops.js';
import { listTree, picture, removeTree } from '../helpers/tar-tree.js';
import { LAYER2, LAYER3, layer1 } from './graphdriver-layers.js';
import { unmountUnder } from './graphdriver-mounters.js';

/** A backend as the suite sees it. */
export interface DriverUnderTest {
  name: string;
  open(dataRoot: string, ops: FileOps): Promise<GraphBackend>;
  /** Writes through get() reach the layer (vfs, real overlay mounts; not the copying fake). */
  live: boolean;
  /** get() of a child layer mounts something. */
  mounts: boolean;
}

/** One test's backend and what the host allows. */
export interface Harness {
  root: string;
  backend: GraphBackend;
  ops: FileOps;
  privileged: boolean;
  xattrs: boolean;
}

/** A backend over a fresh tmpdir; teardown releases its mounts and removes everything. */
export async function harness(t: Test, d: DriverUnderTest, fx: TestFileOps): Promise<Harness> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), `berth-graph-${d.name}-`));
  const backend = await d.open(path.join(root, 'graph'), fx.ops);
  t.teardown(async () => {
    await backend.cleanup();
    const leaked = await unmountUnder(root);
    await removeTree(root);
    if (leaked.length) throw new Error(`mounts left behind: ${leaked.join(' ')}`);
  });
  return { root, backend, ops: fx.ops, privileged: fx.ops.privileged, xattrs: fx.ops.xattrs };
}

/** Creates `id` on `parent` and applies `specs` to it. */
export async function layer(h: Harness, id: string, parent: string | null, specs: TarSpec[], compression: 'none' | 'gzip' | 'zstd' = 'none') {
  await h.backend.create(id, parent);
  return h.backend.applyDiff(id, parent, await layerStream(specs, compression));
}

/** Builds l1 → l2 → l3. */
export async function chain(h: Harness): Promise<void> {
  await layer(h, 'l1', null, layer1(h.privileged, h.xattrs));
  await layer(h, 'l2', 'l1', LAYER2);
  await layer(h, 'l3', 'l2', LAYER3);
}

/** Runs `fn` on the layer's rootfs between a get and a put. */
export async function within<T>(h: Harness, id: string, fn: (rootfs: string) => Promise<T>): Promise<T> {
  const rootfs = await h.backend.get(id);
  try {
    return await fn(rootfs);
  } finally {
    await h.backend.put(id);
  }
}

/** The sorted paths of a layer's rootfs. */
export function pathsOf(h: Harness, id: string): Promise<string[]> {
  return within(h, id, async (rootfs) => (await listTree(rootfs)).sort());
}

/** The full picture of a layer's rootfs, without its root directory. */
export function pictureOf(h: Harness, id: string): Promise<Record<string, string>> {
  return within(h, id, async (rootfs) => {
    const p = await picture(rootfs, h.ops);
    delete p['.'];
    return p;
  });
}
