import { execFileSync } from 'node:child_process';
import { dockerCliPath } from './docker-cli.js';

/**
 * Named probes for tests that need something of the machine. Each returns `false` when the need is
 * met, or the reason to skip, so tests read `t.test(name, { skip: probes.root() }, …)` and tap prints
 * why. In CI (root, set up by .ci/setup) none of them skips.
 */
export const probes = {
  root: (): false | string => (process.getuid?.() === 0 ? false : 'needs root (namespaces, mounts, cgroups)'),
  openssl: (): false | string => (has('openssl', ['version']) ? false : 'needs openssl (apt-get install openssl)'),
  dockerCli: (): false | string => (dockerCliPath() ? false : 'needs the docker CLI (.ci/setup extracts it from Debian docker.io)'),
};

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
