/**
 * A process that could not be run, in dockerd's terms, decided from the runtime's SyscallFailure
 * (errno + step), never from its wording. The docker CLI reads the message dockerd sends to pick
 * its own exit code (127 for "executable file not found" / "no such file or directory", 126 for
 * "permission denied"), so the exec step's failures are worded as runc words them.
 */
import { BerthError, failureOf, invalidParameter, type SyscallFailure } from '../../protocol/errdefs.js';

const ENOENT = 2;
const EACCES = 13;

/** How dockerd reports a failed start of a process: its words, its exit code, its error. */
export interface CommandFailure {
  message: string;
  exitCode: number;
  error: BerthError;
}

/** Whether the user's command itself could not be run (not a failure of the setup before it). */
export function commandNotRun(f: SyscallFailure | undefined): f is SyscallFailure & { step: 'exec' } {
  return f?.step === 'exec';
}

/** dockerd's exit code: 127 for a command not found, 126 for one that cannot be invoked, else `otherwise`. */
export function commandExitCode(f: SyscallFailure | undefined, otherwise: number): number {
  if (!commandNotRun(f)) return otherwise;
  return f.errno === ENOENT ? 127 : 126;
}

/** runc's words for an exec step failure (`exec: "x": executable file not found in $PATH`); undefined when it has none. */
export function runcWords(f: SyscallFailure | undefined): string | undefined {
  if (!commandNotRun(f) || f.path === undefined) return undefined;
  const cmd = f.path;
  if (f.errno === EACCES) return `exec: "${cmd}": permission denied`;
  if (f.errno !== ENOENT) return undefined;
  return cmd.includes('/') ? `exec: "${cmd}": stat ${cmd}: no such file or directory` : `exec: "${cmd}": executable file not found in $PATH`;
}

/**
 * A failed start or exec as dockerd reports it: for the exec step, runc's words after `prefix`,
 * 127 / 126 and InvalidParameter (a bad command is the caller's mistake); anything else keeps its
 * message and kind, with exit code `otherwise`.
 */
export function commandFailure(err: BerthError, prefix: string, otherwise: number): CommandFailure {
  const f = failureOf(err);
  const words = runcWords(f);
  const message = words === undefined ? err.message : `${prefix}${words}: unknown`;
  const error = commandNotRun(f) ? invalidParameter(message, err) : err;
  return { message, exitCode: commandExitCode(f, otherwise), error };
}
