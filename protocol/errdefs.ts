/**
 * The one error vocabulary of berth, after moby's errdefs. Every layer throws these (or wraps a cause
 * in them); the HTTP status is decided in exactly one place, `httpStatus()`, never by matching text.
 */

/** The kinds of failure a caller can act on. */
export type ErrorKind =
  | 'NotFound'
  | 'InvalidParameter'
  | 'Conflict'
  | 'NotModified'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Unavailable'
  | 'NotImplemented'
  | 'System'
  | 'Cancelled'
  | 'Deadline';

/**
 * The failed system call behind an error, as data (Node's SystemError carries the same errno, syscall
 * and path): callers decide from it, never from the message. `step` says which step of running a
 * process failed: 'exec' is the final execve of the user's command (its lookup on PATH included),
 * 'setup' anything before it.
 */
export interface SyscallFailure {
  /** The errno, positive (ENOENT = 2); absent when no call failed (a bad value). */
  errno?: number;
  step: 'exec' | 'setup';
  /** The call, when known (the fake runtime's 'spawn'). */
  syscall?: string;
  /** For 'exec': the command as given (args[0]). */
  path?: string;
}

/** An error with a kind. The message names the operation and the object. */
export class BerthError extends Error {
  readonly kind: ErrorKind;
  /** The system call that failed, when the error comes from one. */
  readonly failure?: SyscallFailure;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown; failure?: SyscallFailure }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.name = `${kind}Error`;
    if (options?.failure) this.failure = options.failure;
  }
}

/** The failed system call behind any thrown value, if it says one. */
export function failureOf(err: unknown): SyscallFailure | undefined {
  return err instanceof BerthError ? err.failure : undefined;
}

/** An error as plain data, as it crosses an actor boundary (a reply event). */
export interface ErrorData {
  kind: ErrorKind;
  message: string;
  failure?: SyscallFailure;
}

/** Any thrown value as ErrorData (kind System unless it is a BerthError). */
export function errorData(err: unknown): ErrorData {
  const failure = failureOf(err);
  return { kind: kindOf(err), message: err instanceof Error ? err.message : String(err), ...(failure && { failure }) };
}

/** The BerthError that ErrorData describes. */
export function fromErrorData(d: ErrorData): BerthError {
  return new BerthError(d.kind, d.message, d.failure && { failure: d.failure });
}

const make = (kind: ErrorKind) => (message: string, cause?: unknown) =>
  new BerthError(kind, message, cause === undefined ? undefined : { cause });

/** Constructors, one per kind: `notFound('No such container: x')`. */
export const notFound = make('NotFound');
export const invalidParameter = make('InvalidParameter');
export const conflict = make('Conflict');
export const notModified = make('NotModified');
export const unauthorized = make('Unauthorized');
export const forbidden = make('Forbidden');
export const unavailable = make('Unavailable');
export const notImplemented = make('NotImplemented');
export const system = make('System');
export const cancelled = make('Cancelled');
export const deadline = make('Deadline');

/** The kind of any thrown value; anything that is not a BerthError is a System error. */
export function kindOf(err: unknown): ErrorKind {
  return err instanceof BerthError ? err.kind : 'System';
}

/** Turns any thrown value into a BerthError, keeping it as the cause when it was not one. */
export function asBerthError(err: unknown, context?: string): BerthError {
  if (err instanceof BerthError) return err;
  const text = err instanceof Error ? err.message : String(err);
  return new BerthError('System', context ? `${context}: ${text}` : text, { cause: err });
}

const STATUS: Record<ErrorKind, number> = {
  NotFound: 404,
  InvalidParameter: 400,
  Conflict: 409,
  NotModified: 304,
  Unauthorized: 401,
  Forbidden: 403,
  Unavailable: 503,
  NotImplemented: 501,
  System: 500,
  // moby answers 500 for these too: the client cannot act on them differently.
  Cancelled: 500,
  Deadline: 500,
};

/** The HTTP status Docker uses for a kind (moby's errdefs → httpstatus mapping). */
export function httpStatus(kind: ErrorKind): number {
  return STATUS[kind];
}

/** Every error body on the wire: Docker's ErrorResponse. */
export interface ErrorResponse {
  message: string;
}
