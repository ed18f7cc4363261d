/**
 * A driver's directory of layers (<root>/<driver>/<id>/): id checks, lookups, and creation that
 * builds a layer aside and renames it in, so a crash never leaves a half-made layer under its id.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';

import { conflict, notFound } from '../../protocol/errdefs.js';
import { checkLayerId } from './backend.js';
import type { Trash } from '../trash.js';
import { KeyedLock } from './lock.js';
import { lstatOrNull } from './paths.js';

const TMP_PREFIX = '.tmp-';

/** One driver's layer directory. */
export class LayerHome {
  // rename(2) silently replaces an empty directory, so racing creates must not both reach it.
  private readonly creating = new KeyedLock();

  private constructor(
    readonly dir: string,
    private readonly trash: Trash | undefined,
  ) {}

  /** Opens (creating) `dir` and removes layers a crash left half-built. */
  static async open(dir: string, trash?: Trash): Promise<LayerHome> {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of await fsp.readdir(dir)) {
      if (name.startsWith(TMP_PREFIX)) await fsp.rm(path.join(dir, name), { recursive: true, force: true });
    }
    return new LayerHome(dir, trash);
  }

  /** The directory of layer `id` (which need not exist); InvalidParameter for a bad id. */
  path(id: string, op: string): string {
    checkLayerId(id, op);
    return path.join(this.dir, id);
  }

  /** The directory of an existing layer; NotFound otherwise. */
  async existing(id: string, op: string): Promise<string> {
    const dir = this.path(id, op);
    if (!(await lstatOrNull(dir))?.isDirectory()) throw notFound(`${op}: no such layer: ${id}`);
    return dir;
  }

  /** Whether layer `id` exists. */
  async exists(id: string): Promise<boolean> {
    return (await lstatOrNull(this.path(id, 'layer exists')))?.isDirectory() ?? false;
  }

  /** Removes a layer's directory: into the trash when there is one (a rename), else in place. */
  async discard(dir: string): Promise<void> {
    if (this.trash) await this.trash.discard(dir);
    else await fsp.rm(dir, { recursive: true, force: true });
  }

  /** Makes layer `id` from what `build` puts in a fresh directory; `undo` cleans up a failed build. */
  create(id: string, build: (tmp: string) => Promise<void>, undo = async () => {}): Promise<void> {
    return this.creating.run(id, () => this.createNow(id, build, undo));
  }

  private async createNow(id: string, build: (tmp: string) => Promise<void>, undo: () => Promise<void>): Promise<void> {
    const dir = this.path(id, 'create layer');
    if (await lstatOrNull(dir)) throw conflict(`create layer: layer ${id} already exists`);
    const tmp = path.join(this.dir, `${TMP_PREFIX}${id}-${randomBytes(4).toString('hex')}`);
    await fsp.mkdir(tmp, { mode: 0o755 });
    try {
      await build(tmp);
      await fsp.rename(tmp, dir);
    } catch (err) {
      await fsp.rm(tmp, { recursive: true, force: true });
      await undo();
      throw err;
    }
  }
}
