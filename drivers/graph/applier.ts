/**
 * Where a backend applies layers: in this thread (tests that swap the FileOps, which cannot cross
 * to another thread), or on the worker pool of apply-pool.ts (the daemon). Either way the stream is
 * decompressed, hashed (the diffID), split into tar-split records and applied in one pass.
 */
import type { Readable } from 'node:stream';

import type { WhiteoutMode } from './apply-ctx.js';
import { applyHashed, digestTap } from './apply-hashed.js';
import type { ApplyDiffOptions, ApplyResult } from './backend.js';
import type { FileOps } from './fileops.js';

/** How one layer is applied: its whiteout mode, plus what the driver's caller asked for. */
export interface LayerApplyOptions extends ApplyDiffOptions {
  whiteouts: WhiteoutMode;
}

/** Applies (possibly compressed) layer streams to directories, reporting size and diffID. */
export interface LayerApplier {
  apply(root: string, input: Readable, options: LayerApplyOptions): Promise<ApplyResult>;
  /** Stops whatever threads it runs; layers being applied fail. */
  close(): Promise<void>;
}

/** Applies in this thread with the given FileOps. */
export function inProcessApplier(fileOps: FileOps): LayerApplier {
  return {
    async apply(root, input, options) {
      const { inputDigest, onApplied, ...rest } = options;
      let taken = 0;
      const observe = onApplied && ((chunk: Buffer) => onApplied((taken += chunk.length)));
      if (!inputDigest && !observe) return applyHashed(root, input, { ...rest, fileOps });
      const tap = digestTap(observe, inputDigest?.algorithm);
      input.on('error', (err) => tap.destroy(err));
      let verdict: unknown;
      tap.once('end', () => {
        try {
          inputDigest?.check(tap.digest());
        } catch (err) {
          verdict = err;
        }
      });
      const applied = await applyHashed(root, input.pipe(tap), { ...rest, fileOps }).catch((err: unknown) => ({ err }));
      if (verdict !== undefined) throw verdict;
      if ('err' in applied) throw applied.err;
      return applied;
    },
    close: async () => undefined,
  };
}
