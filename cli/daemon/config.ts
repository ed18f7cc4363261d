/** `berth daemon` flags → EngineConfig. Part of the daemon command, the one CLI piece that knows the engine. */
import { resolve } from 'node:path';
import type { EngineConfig } from '../../actors/config.js';
import { defaultConfig } from '../../actors/config.js';
import { invalidParameter } from '../../protocol/errdefs.js';
import { wantsTls, type TlsFlags } from '../tls.js';

/** The daemon's flags as parsed (names as on the command line, after dockerd's). */
export interface DaemonFlags extends TlsFlags {
  host: string[];
  'data-root': string;
  'exec-root': string;
  debug: boolean;
  'insecure-tcp': boolean;
  label?: string[];
  'insecure-registry'?: string[];
  'registry-mirror'?: string[];
  'storage-driver'?: string;
}

/** Builds the engine's configuration; throws InvalidParameter for flag combinations that cannot work. */
export function daemonConfig(flags: DaemonFlags): EngineConfig {
  const labels = flags.label ?? [];
  for (const label of labels) {
    if (label.indexOf('=') <= 0) throw invalidParameter(`bad label "${label}": use key=value`);
  }
  const config: EngineConfig = {
    ...defaultConfig(),
    hosts: flags.host.length > 0 ? [...flags.host] : defaultConfig().hosts,
    // Absolute, so that nothing depends on the directory the daemon was started from.
    dataRoot: resolve(flags['data-root']),
    execRoot: resolve(flags['exec-root']),
    debug: flags.debug,
    insecureTcp: flags['insecure-tcp'],
    labels: [...labels],
    insecureRegistries: [...(flags['insecure-registry'] ?? [])],
    registryMirrors: [...(flags['registry-mirror'] ?? [])],
    ...(flags['storage-driver'] && { storageDriver: flags['storage-driver'] }),
  };
  const tls = daemonTls(flags);
  if (tls) config.tls = tls;
  return config;
}

function daemonTls(flags: TlsFlags): EngineConfig['tls'] {
  if (!wantsTls(flags)) return undefined;
  if (!flags.tlscert || !flags.tlskey) throw invalidParameter('TLS needs both --tlscert and --tlskey');
  // Verifying clients means checking their certificates against a CA: without one it cannot work.
  if (flags.tlsverify && !flags.tlscacert) throw invalidParameter('--tlsverify needs --tlscacert to verify clients against');
  const tls: NonNullable<EngineConfig['tls']> = { cert: resolve(flags.tlscert), key: resolve(flags.tlskey), verify: Boolean(flags.tlsverify) };
  if (flags.tlscacert) tls.ca = resolve(flags.tlscacert);
  return tls;
}
