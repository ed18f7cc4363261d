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
  bridge?: string;
  bip?: string;
  'fixed-cidr'?: string;
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
    ...networkFlags(flags),
  };
  const tls = daemonTls(flags);
  if (tls) config.tls = tls;
  return config;
}

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** --bridge, --bip, --fixed-cidr, checked for shape (the network driver checks what they mean). */
function networkFlags(flags: DaemonFlags): Pick<EngineConfig, 'bridge' | 'bip' | 'fixedCidr'> {
  if (flags.bridge !== undefined && !IFNAME.test(flags.bridge)) throw invalidParameter(`invalid bridge name "${flags.bridge}": 1 to 15 letters, digits, '_', '.' or '-'`);
  for (const [name, v] of [['bip', flags.bip], ['fixed-cidr', flags['fixed-cidr']]] as const) {
    if (v !== undefined && !CIDR.test(v)) throw invalidParameter(`invalid --${name} "${v}": use a.b.c.d/n`);
  }
  return {
    ...(flags.bridge && { bridge: flags.bridge }),
    ...(flags.bip && { bip: flags.bip }),
    ...(flags['fixed-cidr'] && { fixedCidr: flags['fixed-cidr'] }),
  };
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
