/**
 * The start-up sweep: what a daemon killed in the middle of a pull, load or delete left behind is
 * removed before any job runs. Only layer trees listed in the GraphDB's journal are candidates —
 * never every directory no image layer holds, since containers' writable layers live in the same
 * graph driver and belong to the containers service.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Graph } from './graph.js';

/** What the sweep removed. */
export interface SweepResult {
  layers: string[];
  records: number;
}

/** The directory jobs stage temporary files in (a load's unpacked archive). */
export function imageTmpDir(dataRoot: string): string {
  return path.join(dataRoot, 'image', 'tmp');
}

/** Removes orphaned layer trees, tar-split records of no layer and staged files; returns what went. */
export async function sweepGraph(graph: Graph, dataRoot: string): Promise<SweepResult> {
  const held = await graph.db.cacheIds();
  const journaled = await graph.db.journaled();
  const orphans = journaled.filter((id) => !held.has(id));
  await graph.db.journalDrop(journaled.filter((id) => held.has(id)));
  await graph.discardLayers(orphans);
  const records = (await graph.splits?.prune(held)) ?? 0;
  await fsp.rm(imageTmpDir(dataRoot), { recursive: true, force: true });
  return { layers: orphans, records };
}
