/**
 * Applies a layer tarball (plain, gzip or zstd) to a directory, streaming entry by entry. Nothing is
 * ever written outside the directory: names are cleaned, parents are checked component by component
 * without following symlinks, and files are created with O_NOFOLLOW (see paths.ts, apply-entry.ts).
 */
import { promises as fsp } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar, { type Header } from 'tar-stream';

import { BerthError, asBerthError, invalidParameter } from '../../protocol/errdefs.js';
import { type ApplyContext, type LayerHeader, type WhiteoutMode, finishDirs, parentFixer } from './apply-ctx.js';
import { writeEntry } from './apply-entry.js';
import { decompressed } from './decompress.js';
import type { FileOps } from './fileops.js';
import { captureRawXattrs } from './pax.js';
import { ensureParents, entryParts } from './paths.js';
import { OPAQUE_MARKER, WHITEOUT_META_PREFIX, WHITEOUT_PREFIX, applyOpaque, applyWhiteout } from './whiteout.js';

export type { WhiteoutMode } from './apply-ctx.js';

/** How to apply: what whiteouts become, and the file operations to use. */
export interface ApplyOptions {
  whiteouts: WhiteoutMode;
  fileOps: FileOps;
}

function paxNumber(pax: Record<string, string> | null, key: string): number | null {
  const value = pax?.[key];
  const n = value === undefined ? NaN : Number(value);
  return Number.isFinite(n) ? n : null;
}

function readHeader(h: Header, raw: WeakMap<object, Map<string, Buffer>>): LayerHeader {
  const pax = (Reflect.get(h, 'pax') ?? null) as Record<string, string> | null;
  const mtime = paxNumber(pax, 'mtime');
  return {
    name: h.name,
    type: h.type ?? 'file',
    mode: h.mode ?? 0o644,
    uid: paxNumber(pax, 'uid') ?? h.uid ?? 0,
    gid: paxNumber(pax, 'gid') ?? h.gid ?? 0,
    size: h.size ?? 0,
    mtime: mtime === null ? (h.mtime ?? new Date(0)) : new Date(mtime * 1000),
    linkname: h.linkname ?? '',
    devmajor: h.devmajor ?? 0,
    devminor: h.devminor ?? 0,
    xattrs: (pax && raw.get(pax)) ?? new Map(),
  };
}

async function applyOne(ctx: ApplyContext, h: LayerHeader, body: AsyncIterable<Buffer>): Promise<void> {
  const parts = entryParts(h.name);
  const base = parts[parts.length - 1] ?? '';
  const dirParts = parts.slice(0, -1);
  if (dirParts.some((p) => p.startsWith(WHITEOUT_PREFIX))) {
    if (dirParts.some((p) => p.startsWith(WHITEOUT_META_PREFIX))) return; // inside AUFS metadata
    throw invalidParameter(`apply layer: entry ${JSON.stringify(h.name)} is inside a whiteout`);
  }
  if (base === OPAQUE_MARKER) return applyOpaque(ctx, dirParts, h);
  if (base.startsWith(WHITEOUT_META_PREFIX)) return; // AUFS metadata (.wh..wh.plnk and such)
  if (base.startsWith(WHITEOUT_PREFIX)) return applyWhiteout(ctx, [...dirParts, base.slice(WHITEOUT_PREFIX.length)], h);
  await ensureParents(ctx.root, parts, h.name, parentFixer(ctx, h.name));
  await writeEntry(ctx, parts, h, body);
}

function malformed(err: unknown): BerthError {
  if (err instanceof BerthError) return err;
  return invalidParameter(`apply layer: malformed layer stream: ${(err as Error)?.message ?? String(err)}`, err);
}

async function extractAll(ctx: ApplyContext, source: Readable): Promise<void> {
  const extract = tar.extract();
  const raw = captureRawXattrs(extract);
  const feeding = pipeline(source, extract);
  feeding.catch(() => undefined); // the same error reaches the entry iterator below
  const entries = extract[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await entries.next().catch((err: unknown) => Promise.reject(malformed(err)));
      if (next.done) break;
      // streamx Readables are async iterable; their typings just do not say so.
      await applyOne(ctx, readHeader(next.value.header, raw), next.value as unknown as AsyncIterable<Buffer>);
      next.value.resume(); // drain what an entry did not read (whiteouts, skipped devices)
    }
    await feeding.catch((err: unknown) => Promise.reject(malformed(err)));
  } catch (err) {
    extract.destroy();
    source.destroy();
    throw err;
  }
}

/**
 * Applies a layer stream to `root` (an existing directory). Returns the content bytes written, once
 * they are durable: the caller records the layer as present after this, and a crash must not leave
 * a recorded layer with files the page cache never wrote back.
 */
export async function applyLayer(root: string, input: Readable, options: ApplyOptions): Promise<{ size: number }> {
  const ctx: ApplyContext = { root, mode: options.whiteouts, ops: options.fileOps, touched: new Set(), dirs: [], size: 0 };
  try {
    if (!(await fsp.lstat(root)).isDirectory()) throw invalidParameter(`apply layer: ${root} is not a directory`);
    await extractAll(ctx, await decompressed(input));
    await finishDirs(ctx);
    await ctx.ops.syncfs(root);
  } catch (err) {
    input.destroy();
    throw asBerthError(err, 'apply layer');
  }
  return { size: ctx.size };
}
