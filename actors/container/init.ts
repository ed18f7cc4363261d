/**
 * `--init` (HostConfig.Init): as dockerd, the container runs a tiny init as PID 1 that forwards
 * signals, reaps orphans and exits with the command's status. dockerd binds tini in; berth binds
 * its own helper, whose `docker-init` name selects that mode. Inspect keeps the user's Path and
 * Args: only the OCI spec changes, as in dockerd.
 */
import type { OciSpec } from '../../drivers/exec/spec.js';

/** Where the init is bound in the container (dockerd's inContainerInitPath). */
export const INIT_PATH = '/sbin/docker-init';

/**
 * Runs the spec's process under the init at `binary`, bound read-only: a container that could
 * write the file it runs as PID 1 could replace the host's binary (CVE-2019-5736).
 */
export function withInit(spec: OciSpec, binary: string): void {
  spec.process.args = [INIT_PATH, '--', ...spec.process.args];
  spec.mounts = [...(spec.mounts ?? []), { destination: INIT_PATH, type: 'bind', source: binary, options: ['rbind', 'rprivate', 'ro', 'nosuid', 'nodev'] }];
}
