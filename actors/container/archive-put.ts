/**
 * Extracts a `docker cp` tarball into a directory of a container. It reuses the layer applier's
 * pieces (apply-ctx, apply-entry, paths), so the same rule keeps every write inside the target:
 * names are cleaned, `..` cannot climb out, parents are checked component by component without
 * following symlinks, files are created O_EXCL|O_NOFOLLOW. Unlike a layer, `.wh.` names are plain
 * files here: a copy never deletes.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar, { type Header } from 'tar-stream';
import { BerthError, invalidParameter } from '../../protocol/errdefs.js';
import { finishDirs, parentFixer, type ApplyContext, type LayerHeader } from '../../drivers/graph/apply-ctx.js';
import { writeEntry } from '../../drivers/graph/apply-entry.js';
import { decompressed } from '../../drivers/graph/decompress.js';
import type { FileOps } from '../../drivers/graph/fileops.js';
import { ensureParents, entryParts, lstatInside } from '../../drivers/graph/paths.js';

/** How to extract: dockerd's noOverwriteDirNonDir, and the owner to give every entry (copyUIDGID). */
export interface ExtractOptions {
  noOverwriteDirNonDir: boolean;
  owner: { uid: number; gid: number } | null;
  ops: FileOps;
}

function header(h: Header, owner: ExtractOptions['owner']): LayerHeader {
  return {
    name: h.name, type: h.type ?? 'file', mode: h.mode ?? 0o644, uid: owner?.uid ?? h.uid ?? 0, gid: owner?.gid ?? h.gid ?? 0, size: h.size ?? 0,
    mtime: h.mtime ?? new Date(0), linkname: h.linkname ?? '', devmajor: h.devmajor ?? 0, devminor: h.devminor ?? 0, xattrs: new Map(),
  };
}

/** dockerd's refusal to replace a directory by a file or the reverse when the client asks for it. */
async function checkOverwrite(ctx: ApplyContext, parts: string[], h: LayerHeader): Promise<void> {
  const st = await lstatInside(ctx.root, parts, h.name).catch(() => null);
  if (!st) return;
  const isDir = h.type === 'directory';
  if (st.isDirectory() && !isDir) throw invalidParameter(`cannot overwrite directory "/${parts.join('/')}" with non-directory "${h.name}"`);
  if (!st.isDirectory() && isDir) throw invalidParameter(`cannot overwrite non-directory "/${parts.join('/')}" with directory "${h.name}"`);
}

async function extractOne(ctx: ApplyContext, h: LayerHeader, body: AsyncIterable<Buffer>, opts: ExtractOptions): Promise<void> {
  const parts = entryParts(h.name);
  if (opts.noOverwriteDirNonDir && parts.length) await checkOverwrite(ctx, parts, h);
  await ensureParents(ctx.root, parts, h.name, parentFixer(ctx, h.name));
  await writeEntry(ctx, parts, h, body);
}

const malformed = (err: unknown) => (err instanceof BerthError ? err : invalidParameter(`extract archive: malformed tar stream: ${(err as Error)?.message ?? String(err)}`, err));

/** Extracts a (plain, gzip or zstd) tar stream into the existing directory `root`. */
export async function extractInto(root: string, input: Readable, opts: ExtractOptions): Promise<void> {
  const ctx: ApplyContext = { root, mode: 'delete', ops: opts.ops, touched: new Set(), dirs: [], size: 0 };
  const extract = tar.extract();
  const feeding = pipeline(await decompressed(input), extract);
  feeding.catch(() => undefined); // the same error reaches the entry iterator below
  const entries = extract[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await entries.next().catch((err: unknown) => Promise.reject(malformed(err)));
      if (next.done) break;
      await extractOne(ctx, header(next.value.header, opts.owner), next.value as unknown as AsyncIterable<Buffer>, opts);
      next.value.resume();
    }
    await feeding.catch((err: unknown) => Promise.reject(malformed(err)));
    await finishDirs(ctx);
  } catch (err) {
    extract.destroy();
    input.destroy();
    throw err;
  }
}
