/** Where the berth-helper binary is: $BERTH_HELPER_PATH, else the cargo release build in the repo. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variable naming the helper binary. */
export const HELPER_PATH_ENV = 'BERTH_HELPER_PATH';

// The repo root is the first ancestor holding the crate: this file runs from drivers/exec/ or
// dist/drivers/exec/.
function repoRoot(): string | null {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'native', 'Cargo.toml'))) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

/** The helper's path (it may not exist: check with existsSync). */
export function helperPath(): string {
  const env = process.env[HELPER_PATH_ENV];
  if (env) return path.resolve(env);
  const root = repoRoot() ?? process.cwd();
  return path.join(root, 'target', 'release', 'berth-helper');
}
