/**
 * Unpacking a `docker load` archive into a staging directory under the data root, as dockerd does
 * before it reads manifest.json (which comes after the blobs in the stream). The archive is not
 * trusted: names are cleaned and may not climb out, only directories and regular files are written,
 * and links (older dockerd linked duplicate layers, `../<id>/layer.tar`) are kept as a map inside
 * the archive, never created on disk, so nothing can point outside the staging directory.
 */
import { createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { BerthError, invalidParameter } from '../../protocol/errdefs.js';
import { decompressed } from '../../drivers/graph/decompress.js';
import { entryParts } from '../../drivers/graph/paths.js';

/** An unpacked archive: where it is, and how to find a file in it by its archive path. */
export interface Unpacked {
  dir: string;
  /** The staged file for an archive path (through the archive's links), or undefined. */
  file(rel: string): Promise<string | undefined>;
}

/** How many link hops are followed before a loop is assumed. */
const MAX_HOPS = 16;

/** An archive path, cleaned; refused when it climbs out of the archive. */
function clean(name: string): string {
  try {
    return entryParts(name).join('/');
  } catch {
    throw invalidParameter(`load: archive entry ${JSON.stringify(name)} points outside the archive`);
  }
}

/** Unpacks a (possibly gzip- or zstd-compressed) archive into `dir`, which must not exist yet. */
export async function unpackArchive(input: Readable, dir: string, signal?: AbortSignal): Promise<Unpacked> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const links = new Map<string, string>();
  const extract = tar.extract();
  const feeding = pipeline(await decompressed(input), extract, { signal });
  feeding.catch(() => undefined); // the same error reaches the entry loop below
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const rel = clean(h.name);
      if (rel && h.type === 'directory') await fsp.mkdir(path.join(dir, rel), { recursive: true });
      else if (rel && (h.type === 'file' || h.type === 'contiguous-file')) await writeFile(dir, rel, entry as unknown as AsyncIterable<Buffer>);
      else if (rel && (h.type === 'symlink' || h.type === 'link')) links.set(rel, linkTarget(rel, h.type, h.linkname ?? ''));
      entry.resume();
    }
    await feeding;
  } catch (err) {
    if (err instanceof BerthError) throw err;
    throw invalidParameter(`load: the archive is not a valid tar: ${(err as Error).message}`, err);
  }
  return { dir, file: (rel) => find(dir, links, rel) };
}

async function writeFile(dir: string, rel: string, entry: AsyncIterable<Buffer>): Promise<void> {
  await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
  // No symlinks are ever made here, so plain paths under `dir` cannot lead out of it.
  await pipeline(entry, createWriteStream(path.join(dir, rel), { mode: 0o600 }));
}

/** A link's target as an archive path: symlinks are relative to their directory, hardlinks to the root. */
function linkTarget(rel: string, type: string, linkname: string): string {
  const from = type === 'symlink' && !linkname.startsWith('/') ? path.posix.join(path.posix.dirname(rel), linkname) : linkname;
  try {
    return clean(from);
  } catch {
    return ''; // climbs out of the archive: resolves to nothing
  }
}

async function find(dir: string, links: Map<string, string>, name: string): Promise<string | undefined> {
  let rel = clean(name);
  for (let hop = 0; hop < MAX_HOPS && rel; hop++) {
    // A link may stand for a directory on the way (`<id>` → `<other id>`): resolve the longest prefix.
    const parts = rel.split('/');
    const at = parts.findIndex((_, i) => links.has(parts.slice(0, i + 1).join('/')));
    if (at < 0) {
      const st = await fsp.lstat(path.join(dir, rel)).catch(() => null);
      return st?.isFile() ? path.join(dir, rel) : undefined;
    }
    const target = links.get(parts.slice(0, at + 1).join('/'))!;
    rel = [target, ...parts.slice(at + 1)].filter(Boolean).join('/');
  }
  return undefined;
}
