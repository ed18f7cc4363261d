import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidParameter } from '../../../protocol/errdefs.js';
import { validateDigest } from '../../../protocol/reference.js';

/** The sha256 digest of bytes, as `sha256:<hex>`. */
export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * Content-addressed blobs (image configs, manifests) under `<root>/sha256/<hex>`. A blob is written
 * to a temporary file, checked against its digest, synced, then renamed into place: a crash leaves
 * either the whole blob or nothing under its name.
 */
export class BlobStore {
  constructor(private readonly root: string) {}

  /** Where a blob lives. */
  path(digest: string): string {
    const [algo, hex] = validateDigest(digest).split(':') as [string, string];
    return path.join(this.root, algo, hex);
  }

  /** Whether the blob is stored. */
  async has(digest: string): Promise<boolean> {
    return stat(this.path(digest)).then(() => true, () => false);
  }

  /** Reads a whole blob (configs and manifests are small). */
  async read(digest: string): Promise<Buffer> {
    return readFile(this.path(digest));
  }

  /** Stores bytes whose digest must be `digest`. */
  async put(digest: string, data: Buffer): Promise<void> {
    if (sha256(data) !== digest) throw invalidParameter(`blob ${digest}: content has digest ${sha256(data)}`);
    await this.commit(digest, async (tmp) => {
      const f = await open(tmp, 'wx', 0o644);
      try {
        await f.writeFile(data);
        await f.sync();
      } finally {
        await f.close();
      }
    });
  }

  /** Stores a stream whose digest must be `digest`; nothing is kept when it is not. */
  async putStream(digest: string, input: Readable): Promise<void> {
    await this.commit(digest, async (tmp) => {
      const hash = createHash('sha256');
      input.on('data', (c: Buffer) => hash.update(c));
      await pipeline(input, createWriteStream(tmp, { flags: 'wx', mode: 0o644 }));
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== digest) throw invalidParameter(`blob ${digest}: content has digest ${got}`);
      const f = await open(tmp, 'r');
      await f.sync().finally(() => f.close());
    });
  }

  /** Removes a blob (missing is fine). */
  async remove(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }

  private async commit(digest: string, write: (tmp: string) => Promise<void>): Promise<void> {
    const final = this.path(digest);
    await mkdir(path.dirname(final), { recursive: true });
    const tmp = `${final}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await write(tmp);
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

/** Layer chain IDs (OCI image spec): chainID(0) = diffID(0), chainID(n) = sha256(chainID(n-1) + " " + diffID(n)). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  return out;
}
