import path from 'node:path';
import type { Level } from 'level';
import { invalidParameter } from '../../../protocol/errdefs.js';
import type { GraphBackend } from '../../../drivers/graph/backend.js';
import { hasNativeMounts } from '../../../drivers/graph/native.js';
import { OverlayBackend } from '../../../drivers/graph/overlay.js';
import { VfsBackend } from '../../../drivers/graph/vfs.js';
import { Trash } from '../../../drivers/trash.js';
import type { KernelProbe } from '../../../drivers/native/addon.js';
import { BlobStore } from './blobs.js';
import { Graph, type ContainersUsing } from './graph.js';
import { GraphDB } from './graphdb.js';
import { sweepGraph } from './sweep.js';
import { TarSplitStore } from './tar-split-store.js';

/** The storage drivers berth has (dockerd's --storage-driver names; overlay2 is accepted for overlay). */
export type StorageDriver = 'overlay' | 'vfs';

/** The driver to use: the one asked for, else overlay where the kernel and privileges allow it, else vfs. */
export function pickDriver(asked: string | undefined, probe: KernelProbe): StorageDriver {
  if (asked === 'overlay' || asked === 'overlay2') return 'overlay';
  if (asked === 'vfs') return 'vfs';
  if (asked) throw invalidParameter(`storage driver ${asked} is not supported: use overlay or vfs`);
  return probe.overlay && process.getuid?.() === 0 && hasNativeMounts() ? 'overlay' : 'vfs';
}

/**
 * Opens the graph under the data root: the GraphDB in `db`, blobs and tar-split records under image/,
 * layers under the driver's dir; then sweeps what a crash left (sweep.ts) and empties the trash.
 */
export async function openGraph(dataRoot: string, db: Level<string, unknown>, driver: StorageDriver, containersUsing?: ContainersUsing): Promise<Graph> {
  const trash = Trash.at(dataRoot);
  await trash.sweep();
  const backend: GraphBackend = driver === 'overlay' ? await OverlayBackend.open(dataRoot, { trash }) : await VfsBackend.open(dataRoot, { trash });
  const graph = new Graph(new GraphDB(db), new BlobStore(path.join(dataRoot, 'image', 'blobs')), backend, containersUsing, TarSplitStore.at(dataRoot));
  await sweepGraph(graph, dataRoot);
  return graph;
}
