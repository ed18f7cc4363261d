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

/** An error with a kind. The message names the operation and the object. */
export class BerthError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = `${kind}Error`;
  }
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
