import { fromPromise } from 'xstate';
import type { AuthConfig } from '../../protocol/types/image.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import type { LoginResult } from '../services/registry/client.js';

declare module '../kernel/job.js' {
  interface Jobs {
    'system.auth': JobType<AuthConfig, LoginResult>;
  }
}

/**
 * system.auth (POST /auth, `docker login`): checks the credentials against their registry and
 * answers `Login Succeeded` (with an identity token when the token server gives one); refused
 * credentials are Unauthorized (401) with dockerd's message. The daemon keeps nothing.
 */
export const authJob = defineJob(
  'system.auth',
  fromPromise(async ({ input }: { input: JobInput<AuthConfig> }) => (input.ctx as EngineContext).call('registry', 'login', [input.args, input.signal])),
  (a) => `${a.username ?? ''}@${a.serveraddress ?? 'docker.io'}`,
);
