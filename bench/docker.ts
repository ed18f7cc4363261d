/**
 * Runs the docker CLI from a benchmark with posix_spawn (the addon's spawnCollect): execFile would
 * fork the benchmark's process on its event loop, and where that process is the daemon
 * (bench/pull) each run would cost it ~20 ms, counted as the measured work. Fails on a non-zero exit.
 */
import { loadNative } from '../drivers/native/addon.js';

export async function runDocker(cli: string, args: string[], env: Record<string, string>): Promise<void> {
  const r = await loadNative().spawnCollect(cli, args, { env });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.code ?? `signal ${r.signal}`} ${r.stderr}`);
}
