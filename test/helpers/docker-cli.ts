/** Finds the real docker CLI for the Docker compatibility tests (they skip when there is none). */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Installed CLIs, tried when .ci/setup has not recorded one.
const KNOWN_PATHS = ['/usr/local/bin/docker', '/usr/bin/docker'];

/**
 * The docker CLI binary to run against berth, or null when there is none.
 *
 * `.ci/setup` records its choice in `.cache/docker-cli-path` at the repo root: an installed CLI,
 * or the client alone extracted from Debian's docker.io package (never its daemon). Without that
 * file this looks in /usr/local/bin and /usr/bin. Callers point it at berth with DOCKER_HOST and
 * skip, saying why, when this returns null.
 */
export function dockerCliPath(): string | null {
  const root = repoRoot();
  const recorded = root === null ? null : readRecorded(join(root, '.cache', 'docker-cli-path'));
  for (const candidate of recorded === null ? KNOWN_PATHS : [recorded, ...KNOWN_PATHS]) {
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

// The nearest ancestor of this file with a package.json: the repo, whether this runs from
// test/helpers (source) or dist/test/helpers (compiled; dist has no package.json).
function repoRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function readRecorded(file: string): string | null {
  try {
    const path = readFileSync(file, 'utf8').trim();
    return path === '' ? null : path;
  } catch {
    return null;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
