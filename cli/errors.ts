/** The two ways a request to the daemon fails, told apart because docker reports them differently. */

/** The daemon answered with a non-2xx status; `message` is the `message` of its ErrorResponse body. */
export class DaemonError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.name = 'DaemonError';
  }
}

/** The daemon could not be reached at all (no socket, refused, TLS failure…). */
export class ConnectError extends Error {
  readonly host: string;
  constructor(host: string, message: string, cause: unknown) {
    super(message, { cause });
    this.host = host;
    this.name = 'ConnectError';
  }
}

const NOT_RUNNING = new Set(['ECONNREFUSED', 'ENOENT']);

/** Wraps a socket-level failure in the message the docker CLI would print for it. */
export function connectError(host: string, err: unknown): ConnectError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const detail = err instanceof Error ? err.message : String(err);
  if (code !== undefined && NOT_RUNNING.has(code)) {
    return new ConnectError(host, `Cannot connect to the berth daemon at ${host}. Is the berth daemon running?`, err);
  }
  if (code === 'EACCES') {
    return new ConnectError(host, `permission denied while trying to connect to the berth daemon socket at ${host}: ${detail}`, err);
  }
  return new ConnectError(host, `error during connect: ${host}: ${detail}`, err);
}

/** The line docker prints for a failed request: daemon answers get the "Error response from daemon:" prefix. */
export function describeError(err: unknown): string {
  if (err instanceof DaemonError) return `Error response from daemon: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
