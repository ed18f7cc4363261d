/**
 * The cgroup.procs files of a container's cgroup, for the berth.cgroup.procs annotation: one per
 * mounted hierarchy holding the cgroup (v1 controllers, the v2 tree, both on hybrid hosts).
 * Hierarchies mounted twice (cpu and cpuacct as links to cpu,cpuacct) count once.
 */
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Every existing `<hierarchy>/<rel>/cgroup.procs` under `root` (default /sys/fs/cgroup). */
export function cgroupProcsFiles(rel: string, root = '/sys/fs/cgroup'): string[] {
  const direct = path.join(root, rel, 'cgroup.procs');
  // A v2-only host: the root itself is the one hierarchy.
  if (existsSync(path.join(root, 'cgroup.controllers'))) return existsSync(direct) ? [direct] : [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const file = path.join(root, name, rel, 'cgroup.procs');
    if (!existsSync(file)) continue;
    const real = realpathSync(file);
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(file);
  }
  return out;
}

/**
 * The cgroup.procs file of this process's own cgroup in one hierarchy (the unified one on v2, else
 * the first v1 line of /proc/self/cgroup whose hierarchy is mounted under `root`); null if none.
 */
export function ownProcsFile(root = '/sys/fs/cgroup', selfCgroup = '/proc/self/cgroup'): string | null {
  let text: string;
  try {
    text = readFileSync(selfCgroup, 'utf8');
  } catch {
    return null;
  }
  // Controller hierarchies before named ones (name=systemd is systemd's own bookkeeping).
  const lines = text.split('\n').filter(Boolean).map((l) => l.split(':')).sort((a, b) => Number(a[1]?.startsWith('name=')) - Number(b[1]?.startsWith('name=')));
  const v2 = existsSync(path.join(root, 'cgroup.controllers'));
  for (const [, controllers, rel] of lines) {
    if (rel === undefined || (v2 ? controllers !== '' : !controllers)) continue;
    const dir = v2 ? root : path.join(root, controllers!.replace(/^name=/, ''));
    const file = path.join(dir, rel, 'cgroup.procs');
    if (existsSync(file)) return file;
  }
  return null;
}
