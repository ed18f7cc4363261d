/**
 * The base of every client command: the global flags (-H, TLS, --format), one Client per run, and
 * docker's exit codes: 1 when the daemon answers an error or cannot be reached (as `docker ps`,
 * `docker rmi`, `docker events` exit), 125 only where docker reports it (run / create, bad flags).
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import { BerthError } from '../protocol/errdefs.js';
import { Client } from './client.js';
import { ConnectError, DaemonError, describeError } from './errors.js';
import { DEFAULT_HOST, parseHost } from './host.js';
import { renderFormat } from './render/template.js';
import { loadTls, wantsTls } from './tls.js';

/** docker's 125: a bad flag, or a run / create the daemon refused or could not start. */
export const EXIT_ENGINE = 125;

/** The flags every client command takes. */
export const globalFlags = {
  host: Flags.string({ char: 'H', env: 'BERTH_HOST', helpValue: '<unix:///path|tcp://host:port>', description: `daemon to connect to [default: ${DEFAULT_HOST}]`, helpGroup: 'GLOBAL' }),
  tls: Flags.boolean({ description: 'use TLS; implied by --tlsverify', helpGroup: 'GLOBAL' }),
  tlsverify: Flags.boolean({ description: 'use TLS and verify the daemon', helpGroup: 'GLOBAL' }),
  tlscacert: Flags.string({ description: 'trust certs signed only by this CA', helpValue: '<file>', helpGroup: 'GLOBAL' }),
  tlscert: Flags.string({ description: 'path to the TLS certificate file', helpValue: '<file>', helpGroup: 'GLOBAL' }),
  tlskey: Flags.string({ description: 'path to the TLS key file', helpValue: '<file>', helpGroup: 'GLOBAL' }),
  format: Flags.string({ description: "output format: 'json', or a template such as '{{.Server.Version}}'" }),
};

/** The parsed global flags. */
export type GlobalFlags = Interfaces.InferredFlags<typeof globalFlags>;

/** A command that talks to the daemon over the API. */
export abstract class BerthCommand extends Command {
  static override baseFlags = globalFlags;

  private client: Client | undefined;

  /** The client for the host and TLS flags (made once per run, closed when the run ends). */
  protected async connect(flags: GlobalFlags): Promise<Client> {
    const tls = await loadTls(flags);
    this.client = new Client(parseHost(flags.host, wantsTls(flags)), tls);
    return this.client;
  }

  /** Prints data in the --format given, one line. */
  protected printFormatted(format: string, data: unknown): void {
    this.log(renderFormat(format, data));
  }

  /** Prints a message on stderr and exits with a code. */
  protected fail(message: string, code: number): never {
    this.logToStderr(message);
    return this.exit(code);
  }

  protected override async catch(err: Interfaces.CommandError): Promise<unknown> {
    // docker prints a refused request (or an unreachable daemon) and exits 1.
    if (err instanceof DaemonError || err instanceof ConnectError) return this.fail(describeError(err), 1);
    // Our own refusals (a bad flag value) read as plain messages, as docker prints them; exit 1 like docker.
    if (err instanceof BerthError) return this.fail(err.message, 1);
    return super.catch(err);
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.client?.close();
    return super.finally(err);
  }
}
