import type { Level } from 'level';
import { NetworkDriver } from '../../../drivers/network/driver.js';
import { FakeBackend } from '../../../drivers/network/fake.js';
import { NativeBackend } from '../../../drivers/network/native.js';
import type { EngineConfig } from '../../config.js';
import type { Logger } from '../../kernel/log.js';
import { ContainerStore } from '../containers/store.js';

/** `10.88.0.1/16` (--bip) → the subnet and the gateway. */
function fromBip(bip: string): { defaultSubnet: string; defaultGateway: string } {
  const [ip, len] = bip.split('/') as [string, string];
  const octets = ip.split('.').map(Number);
  const bits = Number(len);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0) & mask;
  return { defaultSubnet: `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${bits}`, defaultGateway: ip };
}

/**
 * Opens the network driver and reconciles it with what the host has: bridges adopted or made, stale
 * veths and rules of containers no longer running removed. The native backend needs root, as the
 * native runtime does; the fake one serves the fake runtime of unprivileged tests.
 */
export async function openNetwork(config: EngineConfig, db: Level<string, unknown>, native: boolean, log: Logger): Promise<NetworkDriver> {
  const driver = new NetworkDriver(db, native ? new NativeBackend() : new FakeBackend(), {
    ...(config.bip && fromBip(config.bip)),
    ...(config.fixedCidr && { defaultIpRange: config.fixedCidr }),
    ...(config.bridge && { defaultBridge: config.bridge }),
    log: (m) => log.info(`network: ${m}`),
  });
  const running = new Set((await new ContainerStore(db).all()).filter((c) => c.State.Running).map((c) => c.Id));
  await driver.start((id) => running.has(id));
  return driver;
}
