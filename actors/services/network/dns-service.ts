import { fromCallback } from 'xstate';
import type { Bus } from '../../kernel/bus.js';
import type { Logger } from '../../kernel/log.js';
import type { EmbeddedDns } from './dns.js';

/** The DNS service's input: the servers, and the bus that says when networks come and go. */
export interface DnsServiceInput {
  dns: EmbeddedDns;
  bus: Bus;
  log: Logger;
}

/**
 * The embedded DNS as a supervised actor (systemId `dns`): opens a server per user network at
 * start, follows `network create` / `destroy` on the bus, and closes every socket when stopped (so a
 * restart by the supervisor binds afresh).
 */
export const dnsService = fromCallback<{ type: string }, DnsServiceInput>(({ input }) => {
  const sync = () => void input.dns.sync().catch((e: Error) => input.log.warn(`dns: ${e.message}`));
  const unsubscribe = [input.bus.subscribe('network.create', sync), input.bus.subscribe('network.destroy', sync)];
  sync();
  return () => {
    for (const u of unsubscribe) u();
    input.dns.close();
  };
});
