import os from 'node:os';
import { fromPromise } from 'xstate';
import { API_VERSION, BERTH_VERSION, MIN_API_VERSION } from '../../protocol/api.js';
import type { SystemVersion } from '../../protocol/types/system.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { buildInfo } from './buildinfo.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'system.version': JobType<void, SystemVersion>;
  }
}

/** GET /version: berth's versions, in Docker's SystemVersion shape. */
export function systemVersion(ctx: EngineContext): SystemVersion {
  const probe = ctx.probe();
  const { gitCommit, buildTime } = buildInfo();
  const arch = goArch(process.arch);
  return {
    Platform: { Name: 'berth Engine' },
    Components: [
      {
        Name: 'Engine',
        Version: BERTH_VERSION,
        Details: {
          ApiVersion: API_VERSION,
          Arch: arch,
          BuildTime: buildTime,
          Experimental: 'false',
          GitCommit: gitCommit,
          GoVersion: `node${process.versions.node}`,
          KernelVersion: probe.kernelVersion,
          MinAPIVersion: MIN_API_VERSION,
          Os: os.platform(),
        },
      },
      { Name: 'berth-native', Version: BERTH_VERSION, Details: { Rust: 'napi-rs 3' } },
    ],
    Version: BERTH_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: gitCommit,
    GoVersion: `node${process.versions.node}`,
    Os: os.platform(),
    Arch: arch,
    KernelVersion: probe.kernelVersion,
    BuildTime: buildTime,
  };
}

/** Docker names architectures as Go does (GOARCH). */
export function goArch(nodeArch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' } as Record<string, string>)[nodeArch] ?? nodeArch;
}

/** The system.version job. */
export const versionJob = defineJob(
  'system.version',
  fromPromise(async ({ input }: { input: JobInput<void> }) => systemVersion(input.ctx as EngineContext)),
);
