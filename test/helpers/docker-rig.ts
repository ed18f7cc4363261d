/**
 * The real docker CLI against an in-process test daemon that has busybox, imported with
 * `docker import`; when the test ends every container is removed and the daemon closed.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { startTestDaemon, type TestDaemon } from './daemon.js';
import { dockerCliPath } from './docker-cli.js';
import { busyboxRootfsBuffer } from './rootfs-tar.js';

const run = promisify(execFile);

export interface DockerRig {
  d: TestDaemon;
  /** The environment that points the CLI at the daemon (for spawning it by hand). */
  env: NodeJS.ProcessEnv;
  docker(...args: string[]): Promise<{ stdout: string; stderr: string }>;
}

export async function dockerOnTestDaemon(t: Test): Promise<DockerRig> {
  const d = await startTestDaemon();
  const env = { ...process.env, DOCKER_HOST: `unix://${d.socket}`, DOCKER_CONFIG: d.dir };
  const docker = (...args: string[]) => run(dockerCliPath()!, args, { env });
  t.teardown(async () => {
    const ids = (await docker('ps', '-aq')).stdout.trim().split('\n').filter(Boolean);
    if (ids.length) await docker('rm', '-f', ...ids);
    await d.close();
  });
  const tarPath = path.join(d.dir, 'rootfs.tar');
  writeFileSync(tarPath, await busyboxRootfsBuffer());
  await docker('import', tarPath, 'busybox:latest');
  return { d, env, docker };
}
