/**
 * The cgroup.procs files of a container's cgroup, for the berth.cgroup.procs annotation: one per
 * mounted hierarchy holding the cgroup (v1 controllers, the v2 tree, both on hybrid hosts).
 * Hierarchies mounted twice (cpu and cpuacct as links to cpu,cpuacct) count once.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
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
