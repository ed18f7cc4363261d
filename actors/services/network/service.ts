import type { NetworkDriver } from '../../../drivers/network/driver.js';
import { concurrentService } from '../../kernel/service.js';

declare module '../../kernel/service.js' {
  interface Services {
    network: NetworkDriver;
  }
}

/** The network driver actor (systemId `network`); the driver queues its own calls, so they arrive concurrently. */
export const networkService = concurrentService<NetworkDriver>();
