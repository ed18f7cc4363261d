/**
 * Starting a shim: `berth-helper shim --id … --bundle … --state … --log …`. The spawned process
 * detaches the shim (double fork, setsid) and exits once the container is created: 0 with
 * `{"pid","shimPid"}` on stdout, or 1 with the error on stderr: `{"message","errno","step","path"}`
 * (see helper-failure.ts), the message crun-style: operation, object, why.
 */
import { system } from '../../protocol/errdefs.js';
import type { NativeAddon, SpawnResult } from '../native/addon.js';
import type { ExecPaths } from './backend.js';
import { reportError } from './helper-failure.js';

/** The variable telling the helper it runs from a sealed copy (memfd.rs checks the claim). */
const SEALED_ENV = '_BERTH_HELPER_SEALED';

/** What the shim reports once the container is created. */
export interface ShimReady {
  pid: number;
  shimPid: number;
}

/**
 * Runs a program to its end: the addon's spawnCollect, which does not fork the daemon (Node's
 * spawn copies its page tables on the main thread, some ms per container start).
 */
export type RunProgram = NativeAddon['spawnCollect'];

/** Options of spawnShim. */
export interface SpawnShimOptions {
  helper: string;
  run: RunProgram;
  /**
   * An fd of the daemon's sealed in-memory copy of the helper (the addon's sealedCopy): the helper
   * is run straight from it, as /proc/<daemon>/fd/<fd>, instead of copying itself into a memfd and
   * re-executing on every spawn. Without it the helper makes its own copy.
   */
  sealedFd?: number;
  /** Seconds an exited container's shim waits for a client (--linger). */
  lingerSeconds?: number;
}

/** Spawns the shim for a container and waits for its report. */
export async function spawnShim(id: string, paths: ExecPaths, opts: SpawnShimOptions): Promise<ShimReady> {
  const args = ['shim', '--id', id, '--bundle', paths.bundle, '--state', paths.state, '--log', paths.log];
  if (opts.lingerSeconds !== undefined) args.push('--linger', String(opts.lingerSeconds));
  let run: SpawnResult;
  try {
    run = opts.sealedFd === undefined
      ? await opts.run(opts.helper, args, {})
      : await opts.run(`/proc/${process.pid}/fd/${opts.sealedFd}`, args, { argv0: opts.helper, env: { [SEALED_ENV]: '1' } });
  } catch (e) {
    throw system(`create container ${id}: spawn ${opts.helper}: ${(e as Error).message}`, e);
  }
  if (run.code !== 0) throw reportError(run.stderr, `create container ${id}: the shim exited with ${run.code ?? `signal ${run.signal}`}`);
  try {
    return JSON.parse(run.stdout) as ShimReady;
  } catch {
    throw system(`create container ${id}: unreadable shim report ${JSON.stringify(run.stdout)}`);
  }
}
