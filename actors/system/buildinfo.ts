import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The commit and build time of this berth, read once from the checkout and the compiled output. */
export interface BuildInfo {
  gitCommit: string;
  buildTime: string;
}

let cached: BuildInfo | undefined;

/** Where the checkout is: dist/actors/system → three levels up from the compiled file. */
function repoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');
}

function readCommit(root: string): string {
  try {
    const head = readFileSync(path.join(root, '.git/HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 7);
    const ref = head.slice(5);
    try {
      return readFileSync(path.join(root, '.git', ref), 'utf8').trim().slice(0, 7);
    } catch {
      const packed = readFileSync(path.join(root, '.git/packed-refs'), 'utf8');
      return packed.split('\n').find((l) => l.endsWith(` ${ref}`))?.slice(0, 7) ?? 'unknown';
    }
  } catch {
    return 'unknown';
  }
}

/** Reads the build information (no process spawned: the commit comes from .git's files). */
export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const root = repoRoot();
  let buildTime = '';
  try {
    buildTime = statSync(fileURLToPath(import.meta.url)).mtime.toISOString();
  } catch {
    buildTime = new Date(0).toISOString();
  }
  cached = { gitCommit: readCommit(root), buildTime };
  return cached;
}
