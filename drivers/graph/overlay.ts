/**
 * The overlay backend, laid out like Docker's overlay2: <root>/overlay/<id>/{diff,work,merged}, a
 * `link` file with the layer's short name, `l/<short>` → ../<id>/diff (short lowerdir paths keep the
 * mount options under a page), a `lower` file listing the parents' short links, nearest first, and
 * a `parent` file with the parent's id (to check the parent callers name).
 * A layer's own changes live only in diff/, so diffs and changes read diff/ and never need a mount.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

import { conflict, invalidParameter } from '../../protocol/errdefs.js';
import { allSettledOrFirstError } from '../settle.js';
import type { LayerApplier } from './applier.js';
import { type ApplyDiffOptions, type ApplyResult, type BackendOptions, type Change, type GraphBackend, applierFor } from './backend.js';
import { exportUpper } from './export.js';
import type { FileOps } from './fileops.js';
import { backingFilesystem } from './fsinfo.js';
import { LayerHome } from './home.js';
import { KeyedLock } from './lock.js';
import { type Mounter, defaultFileOps, nativeMounter } from './native.js';
import { upperChanges } from './overlay-view.js';

const LINKS = 'l';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Options of the overlay backend: the vfs ones plus the Mounter (default: the native addon). */
export interface OverlayOptions extends BackendOptions {
  mounter?: Mounter;
}

function shortName(): string {
  return [...randomBytes(26)].map((b) => BASE32[b % 32]).join('');
}

/** The overlay graph driver over <dataRoot>/overlay. */
export class OverlayBackend implements GraphBackend {
  readonly name = 'overlay';
  private readonly lock = new KeyedLock();
  /** get() counts per layer, and whether the first get mounted (a base layer needs no mount). */
  private readonly refs = new Map<string, { count: number; mounted: boolean }>();

  private constructor(
    private readonly home: LayerHome,
    private readonly ops: FileOps,
    private readonly mounter: Mounter,
    private readonly applier: LayerApplier,
  ) {}

  /** Opens (creating) <dataRoot>/overlay. */
  static async open(dataRoot: string, options: OverlayOptions = {}): Promise<OverlayBackend> {
    const home = await LayerHome.open(path.join(dataRoot, 'overlay'), options.trash);
    await fsp.mkdir(path.join(home.dir, LINKS), { recursive: true, mode: 0o700 });
    const ops = options.fileOps ?? defaultFileOps();
    return new OverlayBackend(home, ops, options.mounter ?? nativeMounter, applierFor(options, ops));
  }

  private existing(id: string, op: string): Promise<string> {
    return this.home.existing(id, op);
  }

  private link(short: string): string {
    return path.join(this.home.dir, LINKS, short);
  }

  /** The parents' diff dirs, nearest first, as overlayfs wants its lowerdirs. */
  private async lowerDirs(dir: string): Promise<string[]> {
    const lower = await fsp.readFile(path.join(dir, 'lower'), 'utf8').catch(() => '');
    return lower ? lower.split(':').map((l) => path.join(this.home.dir, l)) : [];
  }

  private async checkParent(dir: string, id: string, parent: string | null, op: string): Promise<void> {
    const actual = (await fsp.readFile(path.join(dir, 'parent'), 'utf8')) || null;
    if (actual !== parent) throw invalidParameter(`${op}: layer ${id} has parent ${actual ?? 'none'}, not ${parent ?? 'none'}`);
  }

  /** The `lower` file of a child of the layer in `parentDir`: the parent's link, then its lowers. */
  private async lowerBelow(parentDir: string): Promise<string> {
    const [parentLower, parentShort] = await Promise.all([
      fsp.readFile(path.join(parentDir, 'lower'), 'utf8').catch(() => ''),
      fsp.readFile(path.join(parentDir, 'link'), 'utf8'),
    ]);
    const parentLink = `${LINKS}/${parentShort}`;
    return parentLower ? `${parentLink}:${parentLower}` : parentLink;
  }

  async create(id: string, parent: string | null): Promise<void> {
    const parentDir = parent === null ? null : await this.existing(parent, 'create layer');
    const short = shortName();
    // Side by side (a container's create waits for this), all settled before a failure unwinds.
    const build = async (tmp: string) => void (await allSettledOrFirstError([
      ...['diff', 'work', 'merged'].map((sub) => fsp.mkdir(path.join(tmp, sub), { mode: 0o755 })),
      fsp.writeFile(path.join(tmp, 'link'), short),
      fsp.writeFile(path.join(tmp, 'parent'), parent ?? ''),
      parentDir === null ? Promise.resolve() : this.lowerBelow(parentDir).then((lower) => fsp.writeFile(path.join(tmp, 'lower'), lower)),
      // Dangling until the layer is renamed in, so a crash in between leaves no layer without its link.
      fsp.symlink(`../${id}/diff`, this.link(short)),
    ]));
    await this.home.create(id, build, () => fsp.rm(this.link(short), { force: true }));
  }

  remove(id: string): Promise<void> {
    return this.lock.run(id, async () => {
      const dir = await this.existing(id, 'remove layer');
      if (this.refs.has(id)) throw conflict(`remove layer: layer ${id} is in use (mounted)`);
      const short = await fsp.readFile(path.join(dir, 'link'), 'utf8').catch(() => '');
      if (short) await fsp.rm(this.link(short), { force: true });
      await this.home.discard(dir);
    });
  }

  get(id: string): Promise<string> {
    return this.lock.run(id, async () => {
      const dir = await this.existing(id, 'get layer');
      const held = this.refs.get(id);
      const lowers = held ? [] : await this.lowerDirs(dir);
      // A daemon restarted under running containers finds their rootfs still mounted: adopt it.
      const merged = path.join(dir, 'merged');
      if (!held && lowers.length > 0 && !(await this.mounter.isMountpoint?.(merged))) {
        await this.mounter.mountOverlay(merged, { lowerdirs: lowers, upperdir: path.join(dir, 'diff'), workdir: path.join(dir, 'work') });
      }
      const ref = held ?? { count: 0, mounted: lowers.length > 0 };
      ref.count += 1;
      this.refs.set(id, ref);
      return path.join(dir, ref.mounted ? 'merged' : 'diff');
    });
  }

  put(id: string): Promise<void> {
    return this.lock.run(id, async () => {
      const dir = await this.existing(id, 'put layer');
      const ref = this.refs.get(id);
      if (!ref) return; // like Docker: releasing an unused layer is not an error
      // The count drops only after a successful unmount, so a failed put can be retried.
      if (ref.count === 1 && ref.mounted) await this.mounter.unmount(path.join(dir, 'merged'));
      if (--ref.count === 0) this.refs.delete(id);
    });
  }

  exists(id: string): Promise<boolean> {
    return this.home.exists(id);
  }

  async applyDiff(id: string, parent: string | null, tar: Readable, options: ApplyDiffOptions = {}): Promise<ApplyResult> {
    const dir = await this.existing(id, 'apply layer');
    await this.checkParent(dir, id, parent, 'apply layer');
    // Changing an upper dir under a live overlay mount is undefined behaviour in overlayfs.
    if (this.refs.get(id)?.mounted) throw conflict(`apply layer: layer ${id} is mounted`);
    return this.applier.apply(path.join(dir, 'diff'), tar, { ...options, whiteouts: 'overlay' });
  }

  async diff(id: string, parent: string | null): Promise<Readable> {
    const dir = await this.existing(id, 'diff layer');
    await this.checkParent(dir, id, parent, 'diff layer');
    return exportUpper(this.ops, path.join(dir, 'diff'));
  }

  async changes(id: string, parent: string | null): Promise<Change[]> {
    const dir = await this.existing(id, 'layer changes');
    await this.checkParent(dir, id, parent, 'layer changes');
    return upperChanges(this.ops, path.join(dir, 'diff'), await this.lowerDirs(dir));
  }

  status(): [string, string][] {
    return [
      ['Backing Filesystem', backingFilesystem(this.home.dir)],
      ['Native Overlay Diff', 'true'],
      ['userxattr', 'false'],
    ];
  }

  async cleanup(): Promise<void> {
    for (const [id, ref] of [...this.refs]) {
      await this.lock.run(id, async () => {
        if (ref.mounted) await this.mounter.unmount(path.join(this.home.dir, id, 'merged'));
        this.refs.delete(id);
      });
    }
    await this.applier.close();
  }
}
