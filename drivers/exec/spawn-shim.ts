/**
 * Starting a shim: `berth-helper shim --id … --bundle … --state … --log …`. The spawned process
 * detaches the shim (double fork, setsid) and exits once the container is created: 0 with
 * `{"pid","shimPid"}` on stdout, or 1 with the error on stderr: `{"message","errno","step","path"}`
 * (see helper-failure.ts), the message crun-style: operation, object, why.
 */
import { spawn } from 'node:child_process';

import { system } from '../../protocol/errdefs.js';
import type { ExecPaths } from './backend.js';
import { reportError } from './helper-failure.js';

/** The fd the sealed copy is handed over as, and the variable telling the helper it runs from one. */
const SEALED_FD = 3;
const SEALED_ENV = '_BERTH_HELPER_SEALED';

/** What the shim reports once the container is created. */
export interface ShimReady {
  pid: number;
  shimPid: number;
}

/** Options of spawnShim. */
export interface SpawnShimOptions {
  helper: string;
  /**
   * An fd of a sealed in-memory copy of the helper (the addon's sealedCopy): the helper is run
   * straight from it, handed over as fd 3, instead of copying itself into a memfd and re-executing
   * on every spawn. Without it the helper makes its own copy.
   */
  sealedFd?: number;
  /** Seconds an exited container's shim waits for a client (--linger). */
  lingerSeconds?: number;
}

/** Spawns the shim for a container and waits for its report. */
export function spawnShim(id: string, paths: ExecPaths, opts: SpawnShimOptions): Promise<ShimReady> {
  const args = ['shim', '--id', id, '--bundle', paths.bundle, '--state', paths.state, '--log', paths.log];
  if (opts.lingerSeconds !== undefined) args.push('--linger', String(opts.lingerSeconds));
  return new Promise((resolve, reject) => {
    const child = opts.sealedFd === undefined
      ? spawn(opts.helper, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : spawn(`/proc/self/fd/${SEALED_FD}`, args, {
        argv0: opts.helper,
        stdio: ['ignore', 'pipe', 'pipe', opts.sealedFd],
        env: { ...process.env, [SEALED_ENV]: '1' },
        detached: true,
      });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', (e) => reject(system(`create container ${id}: spawn ${opts.helper}: ${e.message}`, e)));
    child.once('close', (code) => {
      if (code !== 0) return reject(reportError(err, `create container ${id}: the shim exited with ${code}`));
      try {
        resolve(JSON.parse(out) as ShimReady);
      } catch {
        reject(system(`create container ${id}: unreadable shim report ${JSON.stringify(out)}`));
      }
    });
  });
}
