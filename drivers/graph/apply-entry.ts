/**
 * Writes one non-whiteout tar entry under the layer root. Every writer is called after the parents
 * were checked (no symlinks) and the final component was cleared, and creates it without following
 * anything: O_EXCL|O_NOFOLLOW for files, symlink/link/mknod that never follow their last component.
 */
import { constants as C, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

import { invalidParameter } from '../../protocol/errdefs.js';
import {
  type ApplyContext, type LayerHeader, absOf, clearTarget, markTouched, setXattrs,
} from './apply-ctx.js';
import { entryParts, resolveExisting } from './paths.js';

const CREATE_FLAGS = C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW;

// chown clears setuid/setgid and file capabilities, so: owner, then mode, then xattrs, then times.
async function finishMeta(ctx: ApplyContext, abs: string, h: LayerHeader, isSymlink: boolean): Promise<void> {
  if (ctx.ops.privileged) await ctx.ops.lchown(abs, h.uid, h.gid);
  if (!isSymlink) await ctx.ops.chmod(abs, h.mode);
  await setXattrs(ctx, abs, h);
  await ctx.ops.lutimes(abs, h.mtime, h.mtime);
}

/** File content goes to disk in writes of about this much: each write is a trip to the thread pool. */
const WRITE_BATCH = 1024 * 1024;

/** Writes all of `chunks`, however much each writev(2) takes. */
async function writeAll(fh: FileHandle, chunks: Buffer[]): Promise<void> {
  let rest = chunks;
  while (rest.length) {
    let n = (await fh.writev(rest)).bytesWritten;
    while (rest.length && n >= rest[0]!.length) n -= rest.shift()!.length;
    if (rest.length && n > 0) rest[0] = rest[0]!.subarray(n);
  }
}

async function writeFile(ctx: ApplyContext, abs: string, h: LayerHeader, body: AsyncIterable<Buffer>): Promise<void> {
  await clearTarget(ctx, abs, false);
  const fh = await fsp.open(abs, CREATE_FLAGS, 0o600);
  try {
    // Plain writes, not a write stream: a stream would hold the handle open past fh.close().
    let batch: Buffer[] = [];
    let batched = 0;
    for await (const chunk of body) {
      batch.push(chunk);
      batched += chunk.length;
      ctx.size += chunk.length;
      if (batched < WRITE_BATCH) continue;
      await writeAll(fh, batch);
      // Only files past one batch: for small ones the call would cost more than it saves.
      ctx.ops.startWriteback(fh.fd, abs);
      [batch, batched] = [[], 0];
    }
    await writeAll(fh, batch);
    if (ctx.ops.privileged) await fh.chown(h.uid, h.gid);
    await fh.chmod(h.mode & 0o7777);
  } finally {
    await fh.close();
  }
  await setXattrs(ctx, abs, h);
  await ctx.ops.lutimes(abs, h.mtime, h.mtime);
}

async function writeDir(ctx: ApplyContext, parts: string[], abs: string, h: LayerHeader): Promise<void> {
  if (!(await clearTarget(ctx, abs, true))) await fsp.mkdir(abs, { mode: 0o700 });
  if (ctx.ops.privileged) await ctx.ops.lchown(abs, h.uid, h.gid);
  await setXattrs(ctx, abs, h);
  // A read-only mode now would stop this layer's own children from being written.
  ctx.dirs.push({ parts, mode: h.mode, mtime: h.mtime });
}

async function writeSymlink(ctx: ApplyContext, abs: string, h: LayerHeader): Promise<void> {
  await clearTarget(ctx, abs, false);
  await fsp.symlink(h.linkname, abs); // the target is only text: it is never followed here
  await finishMeta(ctx, abs, h, true);
}

async function writeHardlink(ctx: ApplyContext, abs: string, h: LayerHeader): Promise<void> {
  const target = await resolveExisting(ctx.root, entryParts(h.linkname, h.name), h.name);
  if (target.st.isDirectory()) throw invalidParameter(`apply layer: entry ${JSON.stringify(h.name)} hardlinks a directory`);
  if (target.abs === abs) return;
  await clearTarget(ctx, abs, false);
  await fsp.link(target.abs, abs); // link(2) does not follow a symlink target on Linux
}

const SPECIAL = { 'character-device': 'char', 'block-device': 'block', fifo: 'fifo' } as const;

async function writeSpecial(ctx: ApplyContext, abs: string, h: LayerHeader, kind: 'char' | 'block' | 'fifo'): Promise<void> {
  // Without CAP_MKNOD device nodes cannot exist; like Docker in a user namespace, they are left out.
  if (kind !== 'fifo' && !ctx.ops.privileged) return;
  await clearTarget(ctx, abs, false);
  await ctx.ops.mknod(abs, kind, h.mode & 0o7777, h.devmajor, h.devminor);
  await finishMeta(ctx, abs, h, false);
}

/** Writes one entry at `parts` (parents already checked); refuses types a layer cannot hold. */
export async function writeEntry(ctx: ApplyContext, parts: string[], h: LayerHeader, body: AsyncIterable<Buffer>): Promise<void> {
  const abs = absOf(ctx, parts);
  if (parts.length === 0 && h.type !== 'directory') {
    throw invalidParameter(`apply layer: entry ${JSON.stringify(h.name)} would replace the layer root`);
  }
  markTouched(ctx, parts);
  switch (h.type) {
    case 'file':
    case 'contiguous-file':
      return writeFile(ctx, abs, h, body);
    case 'directory':
      return writeDir(ctx, parts, abs, h);
    case 'symlink':
      return writeSymlink(ctx, abs, h);
    case 'link':
      return writeHardlink(ctx, abs, h);
    case 'character-device':
    case 'block-device':
    case 'fifo':
      return writeSpecial(ctx, abs, h, SPECIAL[h.type]);
    default:
      throw invalidParameter(`apply layer: entry ${JSON.stringify(h.name)} has unsupported type ${h.type}`);
  }
}
