/**
 * The ways a container command fails, each printed and ended as the docker CLI does it. The base
 * command (command.ts) turns them into output and exit codes.
 */

/** Ends the command with `status`, printing `message` (if any) on stderr: docker's cli.StatusError. */
export class StatusError extends Error {
  constructor(readonly status: number, message = '') {
    super(message);
    this.name = 'StatusError';
  }
}

/**
 * A flag value that does not parse: docker prints `invalid argument "1x" for "-m, --memory" flag:
 * …`, then the usage line, and exits 125.
 */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

/**
 * Options that parse but do not go together (`--rm` with `--restart always`): docker prints
 * `docker: <message>` and a pointer to --help, and exits 125.
 */
export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionError';
  }
}

/** Parses one flag value, turning a parser's complaint into docker's FlagError text. */
export function flagValue<T>(flag: string, value: string, parse: (value: string) => T): T {
  try {
    return parse(value);
  } catch (err) {
    throw new FlagError(`invalid argument "${value}" for "${flag}" flag: ${(err as Error).message}`);
  }
}
