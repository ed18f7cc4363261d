/**
 * The vfs backend: every layer is a full copy of its parent plus its own diff, in <root>/vfs/<id>/.
 * Slow and large, but it needs no kernel support at all, so it runs anywhere (and in tests without
 * root). Whiteouts delete in place; diffs and changes come from comparing two trees.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

import type { LayerApplier } from './applier.js';
import { type ApplyDiffOptions, type ApplyResult, type BackendOptions, type Change, type GraphBackend, applierFor } from './backend.js';
import { compareTrees } from './changes.js';
import { exportChanges } from './export.js';
import type { FileOps } from './fileops.js';
import { backingFilesystem } from './fsinfo.js';
import { defaultFileOps } from './native.js';
import { LayerHome } from './home.js';
import { copyTree } from './tree.js';

/** The vfs graph driver over <dataRoot>/vfs. */
export class VfsBackend implements GraphBackend {
  readonly name = 'vfs';

  private constructor(
    private readonly home: LayerHome,
    private readonly ops: FileOps,
    private readonly applier: LayerApplier,
  ) {}

  /** Opens (creating) <dataRoot>/vfs. */
  static async open(dataRoot: string, options: BackendOptions = {}): Promise<VfsBackend> {
    const ops = options.fileOps ?? defaultFileOps();
    return new VfsBackend(await LayerHome.open(path.join(dataRoot, 'vfs'), options.trash), ops, applierFor(options, ops));
  }

  async create(id: string, parent: string | null): Promise<void> {
    const from = parent === null ? null : await this.home.existing(parent, 'create layer');
    await this.home.create(id, async (tmp) => {
      if (from !== null) await copyTree(this.ops, from, tmp);
    });
  }

  async remove(id: string): Promise<void> {
    await this.home.discard(await this.home.existing(id, 'remove layer'));
  }

  get(id: string): Promise<string> {
    return this.home.existing(id, 'get layer');
  }

  async put(id: string): Promise<void> {
    await this.home.existing(id, 'put layer'); // nothing is mounted: a copy is always ready
  }

  exists(id: string): Promise<boolean> {
    return this.home.exists(id);
  }

  async applyDiff(id: string, _parent: string | null, tar: Readable, options: ApplyDiffOptions = {}): Promise<ApplyResult> {
    // The parent was copied in at create; the diff lands on top of that copy.
    return this.applier.apply(await this.home.existing(id, 'apply layer'), tar, { ...options, whiteouts: 'delete' });
  }

  async diff(id: string, parent: string | null): Promise<Readable> {
    const dir = await this.home.existing(id, 'diff layer');
    return exportChanges(this.ops, dir, await this.changes(id, parent));
  }

  async changes(id: string, parent: string | null): Promise<Change[]> {
    const dir = await this.home.existing(id, 'layer changes');
    const from = parent === null ? null : await this.home.existing(parent, 'layer changes');
    return compareTrees(this.ops, from, dir);
  }

  status(): [string, string][] {
    return [['Backing Filesystem', backingFilesystem(this.home.dir)]];
  }

  async cleanup(): Promise<void> {
    await this.applier.close(); // vfs holds no mounts
  }
}
