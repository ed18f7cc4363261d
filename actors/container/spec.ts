import { invalidParameter } from '../../protocol/errdefs.js';
import type { MountSpec } from '../../protocol/types/containers.js';
import { cgroupProcsFiles } from '../../drivers/exec/cgroups.js';
import { capabilitySet, daemonCapabilities } from '../../drivers/exec/capabilities.js';
import { defaultSpec } from '../../drivers/exec/defaults.js';
import { helperPath } from '../../drivers/exec/helper-path.js';
import { containerCgroup } from '../../drivers/exec/resources.js';
import { ANNOTATION_CGROUP_PATH, ANNOTATION_CGROUP_PROCS, ANNOTATION_STDIN, type OciMount, type OciSpec } from '../../drivers/exec/spec.js';
import type { ContainerRecord } from '../services/containers/record.js';
import type { ContainerPaths } from './files.js';
import { withInit } from './init.js';
import { logAnnotations } from '../services/containers/logconfig.js';
import { applySecurityOpt } from '../services/containers/security-opt.js';
import type { ResolvedUser } from './user.js';

/** The container's capability set (see capabilitySet); `held` defaults to the daemon's bounding set. */
export function capabilities(r: ContainerRecord, held: readonly string[] = daemonCapabilities()): string[] {
  return capabilitySet(r.HostConfig, held);
}

/** `-v /host:/ctr[:opts]` binds; named and anonymous volumes come from the record's Mounts (volumeMounts). */
function bindMounts(binds: string[]): OciMount[] {
  return binds.flatMap((b) => {
    const [src, dst, opts = ''] = b.split(':') as [string, string | undefined, string?];
    if (!dst || !src.startsWith('/')) return [];
    const ro = opts.split(',').includes('ro');
    const prop = opts.split(',').find((o) => /^r?(private|shared|slave)$/.test(o)) ?? 'rprivate';
    return [{ destination: dst, type: 'bind', source: src, options: ['rbind', prop, ...(ro ? ['ro'] : [])] }];
  });
}

/** The container's volumes (made at create): their directories bound in. */
function volumeMounts(r: ContainerRecord): OciMount[] {
  return r.Mounts.filter((m) => m.Type === 'volume').map((m) => ({ destination: m.Destination, type: 'bind', source: m.Source, options: ['rbind', 'rprivate', ...(m.RW ? [] : ['ro'])] }));
}

/** Parents before children (a volume at /data before a bind at /data/sub), as dockerd sorts them. */
const byDepth = (a: OciMount, b: OciMount) => a.destination.split('/').filter(Boolean).length - b.destination.split('/').filter(Boolean).length;

function specMounts(mounts: MountSpec[]): OciMount[] {
  return mounts.filter((m) => m.Type !== 'volume').map((m): OciMount => {
    if (m.Type === 'bind') return { destination: m.Target, type: 'bind', source: m.Source ?? '', options: ['rbind', m.BindOptions?.Propagation ?? 'rprivate', ...(m.ReadOnly ? ['ro'] : [])] };
    if (m.Type === 'tmpfs') {
      const o = ['nosuid', 'nodev', ...(m.TmpfsOptions?.SizeBytes ? [`size=${m.TmpfsOptions.SizeBytes}`] : []), ...(m.TmpfsOptions?.Mode ? [`mode=${m.TmpfsOptions.Mode.toString(8)}`] : [])];
      return { destination: m.Target, type: 'tmpfs', source: 'tmpfs', options: [...o, ...(m.ReadOnly ? ['ro'] : [])] };
    }
    throw invalidParameter(`mount type ${m.Type} is not supported yet`);
  });
}

function etcMounts(p: ContainerPaths, readonly: boolean): OciMount[] {
  const o = ['rbind', 'rprivate', ...(readonly ? ['ro'] : [])];
  return [
    { destination: '/etc/resolv.conf', type: 'bind', source: p.resolvConf, options: o },
    { destination: '/etc/hostname', type: 'bind', source: p.hostname, options: o },
    { destination: '/etc/hosts', type: 'bind', source: p.hosts, options: o },
  ];
}

/** The OCI spec of a container: Docker's defaults with the container's config and HostConfig applied. */
export function buildSpec(r: ContainerRecord, rootfs: string, p: ContainerPaths, user: ResolvedUser): OciSpec {
  const env = [...(r.Config.Env ?? [])];
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  env.push(`HOSTNAME=${r.Config.Hostname || r.Id.slice(0, 12)}`);
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home}`);
  if (r.Config.Tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  const spec = defaultSpec({ rootfs, args: [r.Path, ...r.Args], env, hostname: r.Config.Hostname || r.Id.slice(0, 12), cwd: r.Config.WorkingDir || '/', terminal: !!r.Config.Tty, uid: user.uid, gid: user.gid });
  const caps = capabilities(r);
  spec.process.capabilities = { bounding: caps, effective: caps, permitted: caps };
  applySecurityOpt(spec, r.HostConfig, caps);
  if (user.additionalGids.length) spec.process.user = { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids };
  spec.root.readonly = !!r.HostConfig.ReadonlyRootfs;
  const tmpfs = Object.entries(r.HostConfig.Tmpfs ?? {}).map(([dst, opts]): OciMount => ({ destination: dst, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', ...opts.split(',').filter(Boolean)] }));
  spec.mounts = [...(spec.mounts ?? []), ...etcMounts(p, !!r.HostConfig.ReadonlyRootfs), ...[...bindMounts(r.HostConfig.Binds ?? []), ...volumeMounts(r), ...specMounts(r.HostConfig.Mounts ?? []), ...tmpfs].sort(byDepth)];
  if (r.HostConfig.Privileged) Object.assign(spec.linux!, { maskedPaths: [], readonlyPaths: [] });
  if (r.HostConfig.NetworkMode === 'host') spec.linux!.namespaces = spec.linux!.namespaces!.filter((n) => n.type !== 'network');
  const cg = containerCgroup(r.Id);
  if (r.HostConfig.Init) withInit(spec, helperPath());
  spec.annotations = { [ANNOTATION_CGROUP_PATH]: cg, [ANNOTATION_CGROUP_PROCS]: cgroupProcsFiles(cg).join(','), ...(r.Config.OpenStdin && { [ANNOTATION_STDIN]: 'open' }), ...logAnnotations(r.HostConfig.LogConfig) };
  return spec;
}
