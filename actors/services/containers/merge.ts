import { invalidParameter, notFound } from '../../../protocol/errdefs.js';
import type { ImageConfig } from '../../../protocol/types/image.js';
import type { ContainerConfig, ContainerCreateRequest, HostConfig } from '../../../protocol/types/containers.js';
import { capabilitySet, daemonCapabilities } from '../../../drivers/exec/capabilities.js';
import { parseSecurityOpt } from './security-opt.js';

/** KEY=VALUE lists merged by key, later ones winning (image env, then the container's). */
export function mergeEnv(base: string[], over: string[]): string[] {
  const key = (e: string) => e.split('=')[0];
  const keys = new Set(over.map(key));
  return [...base.filter((e) => !keys.has(key(e))), ...over];
}

/**
 * The container's config: the request over the image's defaults, as dockerd merges them. Setting an
 * Entrypoint drops the image's Cmd (a new entrypoint does not take the old one's arguments).
 */
export function mergeConfig(req: ContainerCreateRequest, image: ImageConfig): ContainerConfig {
  const entrypoint = req.Entrypoint ?? image.Entrypoint ?? null;
  const cmd = req.Cmd ?? (req.Entrypoint ? null : (image.Cmd ?? null));
  const { HostConfig: _h, NetworkingConfig: _n, ...config } = req;
  return {
    ...config,
    Env: mergeEnv(image.Env ?? [], req.Env ?? []),
    Cmd: cmd,
    Entrypoint: entrypoint,
    WorkingDir: req.WorkingDir || image.WorkingDir || '',
    User: req.User || image.User || '',
    Labels: { ...(image.Labels ?? {}), ...(req.Labels ?? {}) },
    ExposedPorts: { ...(image.ExposedPorts ?? {}), ...(req.ExposedPorts ?? {}) },
    Volumes: { ...(image.Volumes ?? {}), ...(req.Volumes ?? {}) },
    StopSignal: req.StopSignal || image.StopSignal || undefined,
    ...(image.Healthcheck && !req.Healthcheck && { Healthcheck: image.Healthcheck }),
  };
}

/** The command line a container runs: entrypoint then cmd; 400 when there is none (dockerd's wording). */
export function commandOf(c: ContainerConfig): { Path: string; Args: string[] } {
  const argv = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  if (!argv.length) throw invalidParameter('no command specified');
  return { Path: argv[0]!, Args: argv.slice(1) };
}

/** Checks a HostConfig as dockerd does at create, with its messages. */
export function validateHostConfig(h: HostConfig): void {
  const policy = h.RestartPolicy?.Name ?? '';
  if (h.AutoRemove && policy && policy !== 'no') throw invalidParameter(`can't create 'AutoRemove' container with restart policy`);
  if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(policy)) throw invalidParameter(`invalid restart policy '${policy}'`);
  if (policy !== 'on-failure' && (h.RestartPolicy?.MaximumRetryCount ?? 0) > 0) throw invalidParameter(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if ((h.RestartPolicy?.MaximumRetryCount ?? 0) < 0) throw invalidParameter('invalid restart policy: maximum retry count cannot be negative');
  if (h.Memory && h.Memory > 0 && h.Memory < 6 * 1024 * 1024) throw invalidParameter('Minimum memory limit allowed is 6MB');
  if (h.MemorySwap && h.MemorySwap > 0 && h.Memory && h.MemorySwap < h.Memory) throw invalidParameter('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (h.NanoCpus && (h.CpuQuota || h.CpuPeriod)) throw invalidParameter('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  parseSecurityOpt(h.SecurityOpt);
  capabilitySet(h, daemonCapabilities()); // refuses unknown names and ones the daemon cannot grant
  // A user network's existence is the network driver's to say (container.create asks it).
  if (h.NetworkMode === 'container:') throw notFound(`network ${h.NetworkMode} not found`);
}
