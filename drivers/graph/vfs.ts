/**
 * The vfs backend: every layer is a full copy of its parent plus its own diff, in <root>/vfs/<id>/.
 * Slow and large, but it needs no kernel support at all, so it runs anywhere (and in tests without
 * root). Whiteouts delete in place; diffs and changes come from comparing two trees.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

import { conflict, notFound } from '../../protocol/errdefs.js';
import { applyLayer } from './apply.js';
import { type ApplyResult, type BackendOptions, type Change, type GraphBackend, checkLayerId } from './backend.js';
import { compareTrees } from './changes.js';
import { exportChanges } from './export.js';
import type { FileOps } from './fileops.js';
import { backingFilesystem } from './fsinfo.js';
import { defaultFileOps } from './native.js';
import { lstatOrNull } from './paths.js';
import { copyTree } from './tree.js';

const TMP_PREFIX = '.tmp-';

/** The vfs graph driver over <dataRoot>/vfs. */
export class VfsBackend implements GraphBackend {
  readonly name = 'vfs';

  private constructor(
    private readonly home: string,
    private readonly ops: FileOps,
  ) {}

  /** Opens (creating) <dataRoot>/vfs and removes half-built layers a crash left behind. */
  static async open(dataRoot: string, options: BackendOptions = {}): Promise<VfsBackend> {
    const home = path.join(dataRoot, 'vfs');
    await fsp.mkdir(home, { recursive: true, mode: 0o700 });
    for (const name of await fsp.readdir(home)) {
      if (name.startsWith(TMP_PREFIX)) await fsp.rm(path.join(home, name), { recursive: true, force: true });
    }
    return new VfsBackend(home, options.fileOps ?? defaultFileOps());
  }

  private dir(id: string, op: string): string {
    checkLayerId(id, op);
    return path.join(this.home, id);
  }

  private async existing(id: string, op: string): Promise<string> {
    const dir = this.dir(id, op);
    if (!(await lstatOrNull(dir))?.isDirectory()) throw notFound(`${op}: no such layer: ${id}`);
    return dir;
  }

  async create(id: string, parent: string | null): Promise<void> {
    const dir = this.dir(id, 'create layer');
    if (await lstatOrNull(dir)) throw conflict(`create layer: layer ${id} already exists`);
    const from = parent === null ? null : await this.existing(parent, 'create layer');
    // Built aside and renamed in, so a crash never leaves a half-copied layer under its real id.
    const tmp = path.join(this.home, `${TMP_PREFIX}${id}-${randomBytes(4).toString('hex')}`);
    await fsp.mkdir(tmp, { mode: 0o755 });
    try {
      if (from !== null) await copyTree(this.ops, from, tmp);
      await fsp.rename(tmp, dir);
    } catch (err) {
      await fsp.rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  async remove(id: string): Promise<void> {
    await fsp.rm(await this.existing(id, 'remove layer'), { recursive: true, force: true });
  }

  get(id: string): Promise<string> {
    return this.existing(id, 'get layer');
  }

  async put(id: string): Promise<void> {
    await this.existing(id, 'put layer'); // nothing is mounted: a copy is always ready
  }

  async exists(id: string): Promise<boolean> {
    return (await lstatOrNull(this.dir(id, 'layer exists')))?.isDirectory() ?? false;
  }

  async applyDiff(id: string, _parent: string | null, tar: Readable): Promise<ApplyResult> {
    // The parent was copied in at create; the diff lands on top of that copy.
    return applyLayer(await this.existing(id, 'apply layer'), tar, { whiteouts: 'delete', fileOps: this.ops });
  }

  async diff(id: string, parent: string | null): Promise<Readable> {
    const dir = await this.existing(id, 'diff layer');
    const changes = await this.changes(id, parent);
    return exportChanges(this.ops, dir, changes);
  }

  async changes(id: string, parent: string | null): Promise<Change[]> {
    const dir = await this.existing(id, 'layer changes');
    const from = parent === null ? null : await this.existing(parent, 'layer changes');
    return compareTrees(this.ops, from, dir);
  }

  status(): [string, string][] {
    return [['Backing Filesystem', backingFilesystem(this.home)]];
  }

  async cleanup(): Promise<void> {
    // vfs holds no mounts.
  }
}
