/**
 * The base of the container commands: a client that can hijack, flags that end at the first
 * argument (as docker's do), and docker's way of failing — a daemon's refusal exits 1, a bad flag
 * 125 with the usage, a container's own status passes through.
 */
import { Errors, type Command, type Interfaces } from '@oclif/core';
import { BerthCommand, EXIT_ENGINE, type GlobalFlags } from '../base.js';
import { ConnectError, DaemonError, describeError } from '../errors.js';
import { HijackClient } from '../hijack.js';
import { parseHost } from '../host.js';
import { loadTls, wantsTls } from '../tls.js';
import { splitArgs, type FlagShape } from './argv.js';
import { FlagError, OptionError, StatusError } from './errors.js';

/** oclif's own parse failures (unknown flag, missing value…), which docker reports like a bad flag value. */
function isParseError(err: unknown): err is Errors.CLIError {
  return err instanceof Errors.CLIError && ('parse' in err || /^Flag --/.test(err.message));
}

/** A command that manages containers. */
export abstract class ContainerCommand extends BerthCommand {
  private hijacker: HijackClient | undefined;

  /** The client for the host and TLS flags; closed when the run ends. */
  protected async containerClient(flags: GlobalFlags): Promise<HijackClient> {
    this.hijacker = new HijackClient(parseHost(flags.host, wantsTls(flags)), await loadTls(flags));
    return this.hijacker;
  }

  /** Parses flags up to the first argument; the arguments come back verbatim (IMAGE COMMAND ARG…). */
  protected async parseInterspersed<C extends Command.Class>(cmd: C): Promise<{ flags: Interfaces.InferredFlags<C['flags'] & C['baseFlags']>; rest: string[] }> {
    const shapes = { ...cmd.baseFlags, ...cmd.flags } as unknown as Record<string, FlagShape>;
    const split = splitArgs(this.argv, shapes);
    const { flags } = await this.parse(cmd, split.flags);
    return { flags: flags as Interfaces.InferredFlags<C['flags'] & C['baseFlags']>, rest: split.positionals };
  }

  /** The name the user typed the command by (`run`, `container run`), for docker's help pointers. */
  protected commandName(): string {
    const [first, second] = process.argv.slice(2);
    if (first === 'container' && second) return `container ${second}`;
    return first ?? (this.id ?? '').replaceAll(':', ' ');
  }

  /** docker's usage line, under the name typed: `berth run [OPTIONS] IMAGE [COMMAND] [ARG...]`. */
  private usageLine(): string {
    const usage = (this.constructor as Command.Class).usage;
    const rest = typeof usage === 'string' ? usage.replace(/^\S+\s*/, '') : '';
    return `berth ${this.commandName()}${rest ? ` ${rest}` : ''}`;
  }

  protected override async catch(err: Interfaces.CommandError): Promise<unknown> {
    if (err instanceof StatusError) return err.message ? this.fail(err.message, err.status) : this.exit(err.status);
    const help = `Run 'berth ${this.commandName()} --help' for more information`;
    if (err instanceof OptionError) return this.fail(`berth: ${err.message}\n\n${help}`, EXIT_ENGINE);
    if (err instanceof FlagError || isParseError(err)) {
      return this.fail(`${parseMessage(err)}\n\nUsage:  ${this.usageLine()}\n\n${help}`, EXIT_ENGINE);
    }
    // docker prints a refused request and exits 1 (only run and create report 125).
    if (err instanceof DaemonError || err instanceof ConnectError) return this.fail(describeError(err), 1);
    return super.catch(err);
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.hijacker?.close();
    return super.finally(err);
  }
}

/** The first line of a parse error, in docker's words where oclif's differ. */
function parseMessage(err: Error): string {
  const unknown = (err as Partial<{ flags: string[] }>).flags;
  if (Array.isArray(unknown) && unknown[0]) return `unknown flag: ${unknown[0]}`;
  return err.message.split('\n')[0] ?? err.message;
}
