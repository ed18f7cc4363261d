import { concurrentService } from '../../kernel/service.js';
import type { RegistryClient } from './client.js';

declare module '../../kernel/service.js' {
  interface Services {
    registry: RegistryClient;
  }
}

/** The registry service (systemId `registry`): one client for the daemon, its pool and token cache shared by every pull and push. */
export const registryService = concurrentService<RegistryClient>();
