import { Command, Flags } from '@oclif/core';
import { defaultConfig, type EngineConfig } from '../../actors/config.js';
import type { Engine } from '../../actors/engine.js';
import { daemonConfig, type DaemonFlags } from '../daemon/config.js';
import { serveUntilStopped } from '../daemon/lifecycle.js';

const defaults: EngineConfig = defaultConfig();

/** `berth daemon`: runs the engine in this process until SIGINT/SIGTERM (dockerd's flags). */
export default class Daemon extends Command {
  static override description = 'Run the berth daemon';
  static override examples = [
    '<%= config.bin %> daemon',
    '<%= config.bin %> daemon -H unix:///run/berth/berth.sock -H tcp://127.0.0.1:2376 --tlsverify --tlscacert ca.pem --tlscert cert.pem --tlskey key.pem',
  ];

  static override flags = {
    host: Flags.string({ char: 'H', multiple: true, default: defaults.hosts, description: 'address to listen on (repeatable): unix://, tcp://, fd://' }),
    'data-root': Flags.string({ default: defaults.dataRoot, description: 'root directory of persistent state' }),
    'exec-root': Flags.string({ default: defaults.execRoot, description: 'root directory of runtime state' }),
    debug: Flags.boolean({ char: 'D', description: 'enable debug logging' }),
    tls: Flags.boolean({ description: 'serve tcp listeners over TLS; implied by --tlsverify' }),
    tlsverify: Flags.boolean({ description: 'TLS, and require client certificates signed by --tlscacert' }),
    tlscacert: Flags.string({ helpValue: '<file>', description: 'CA that signs the accepted client certificates' }),
    tlscert: Flags.string({ helpValue: '<file>', description: 'TLS certificate file' }),
    tlskey: Flags.string({ helpValue: '<file>', description: 'TLS key file' }),
    'insecure-tcp': Flags.boolean({ description: 'allow a tcp listener without TLS (loopback only)' }),
    label: Flags.string({ multiple: true, description: 'key=value label of this daemon (repeatable)' }),
    'insecure-registry': Flags.string({ multiple: true, description: 'registry (host:port or CIDR) to reach over plain HTTP (repeatable)' }),
    'registry-mirror': Flags.string({ multiple: true, description: 'pull-through mirror for docker.io (repeatable)' }),
    'storage-driver': Flags.string({ char: 's', description: 'graph driver: overlay or vfs (default: overlay where possible)' }),
    bridge: Flags.string({ char: 'b', description: 'name of the default bridge (default berth0); another name also gets its own nft table' }),
    bip: Flags.string({ helpValue: '<a.b.c.d/n>', description: "the default bridge's address and subnet (default 10.88.0.1/16)" }),
    'fixed-cidr': Flags.string({ helpValue: '<a.b.c.d/n>', description: "where the default bridge's containers get their addresses" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Daemon);
    const engine = await start(flags).catch((err: unknown) => this.die(err));
    for (const address of engine.listening) this.note(`API listen on ${address}`);
    const cause = await serveUntilStopped(engine, (m) => this.note(m)).catch((err: unknown) => this.die(err, 'shutdown failed: '));
    if (cause === 'engine') this.note(`engine stopped: ${engine.failure?.message ?? 'without being asked to'}`);
    // Exit explicitly: a handle some actor forgot to close must not keep a stopped daemon alive.
    return this.exit(cause === 'signal' ? 0 : 1);
  }

  /** Logs a daemon message on stderr, where dockerd logs too. */
  private note(message: string): void {
    this.logToStderr(`berth daemon: ${message}`);
  }

  private die(err: unknown, context = ''): never {
    this.note(context + (err instanceof Error ? err.message : String(err)));
    return this.exit(1);
  }
}

async function start(flags: DaemonFlags): Promise<Engine> {
  const config = daemonConfig(flags);
  // Loaded here, not at the top: the engine pulls in the whole actor system, which `berth version`
  // (oclif loads every command to list them) and `berth daemon --help` should not pay for.
  const { startEngine } = await import('../../actors/engine.js');
  return startEngine(config);
}
