/**
 * Registry answers and network failures, turned into berth's error vocabulary. Messages keep the
 * registry's own words the way dockerd prints them (`manifest unknown: manifest unknown`), after
 * saying which operation on which object failed.
 */
import { BerthError, unavailable, type ErrorKind } from '../../../protocol/errdefs.js';

/** One entry of a distribution error body (`{"errors":[{code,message,detail}]}`). */
export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/** The entries of an error body, or [] when it is not the distribution JSON shape. */
export function parseErrorBody(body: Buffer | string | undefined): RegistryErrorEntry[] {
  if (!body || body.length === 0) return [];
  try {
    const doc: unknown = JSON.parse(body.toString());
    if (!doc || typeof doc !== 'object' || !('errors' in doc) || !Array.isArray(doc.errors)) return [];
    return doc.errors.filter((e): e is RegistryErrorEntry => !!e && typeof e === 'object' && typeof e.code === 'string');
  } catch {
    return [];
  }
}

/** Docker's errcode text: `MANIFEST_UNKNOWN` + message → `manifest unknown: <message>`. */
export function describeErrors(entries: RegistryErrorEntry[], status: number): string {
  if (entries.length === 0) return `unexpected status ${status}`;
  return entries.map((e) => `${e.code.toLowerCase().replaceAll('_', ' ')}: ${e.message ?? ''}`.replace(/: $/, '')).join('; ');
}

const BY_CODE: Record<string, ErrorKind> = {
  UNAUTHORIZED: 'Unauthorized',
  DENIED: 'Forbidden',
  MANIFEST_UNKNOWN: 'NotFound',
  BLOB_UNKNOWN: 'NotFound',
  NAME_UNKNOWN: 'NotFound',
  BLOB_UPLOAD_UNKNOWN: 'NotFound',
  TOOMANYREQUESTS: 'Unavailable',
  UNSUPPORTED: 'NotImplemented',
  NAME_INVALID: 'InvalidParameter',
  TAG_INVALID: 'InvalidParameter',
  MANIFEST_INVALID: 'InvalidParameter',
  DIGEST_INVALID: 'InvalidParameter',
  SIZE_INVALID: 'InvalidParameter',
  BLOB_UPLOAD_INVALID: 'InvalidParameter',
  MANIFEST_BLOB_UNKNOWN: 'InvalidParameter',
};

function kindOfStatus(status: number): ErrorKind {
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'NotFound';
  if (status === 429 || status === 502 || status === 503 || status === 504) return 'Unavailable';
  if (status === 405 || status === 501) return 'NotImplemented';
  if (status >= 400 && status < 500) return 'InvalidParameter';
  return 'System';
}


/**
 * The error for a registry answer that is not a success: the kind from the status (refined by the
 * first error code, e.g. a 401 carrying DENIED), the message `<what>: <registry's words>`.
 */
export function responseError(what: string, status: number, body?: Buffer | string): BerthError {
  const entries = parseErrorBody(body);
  const first = entries[0];
  const kind = (status === 401 ? 'Unauthorized' : first ? BY_CODE[first.code] : undefined) ?? kindOfStatus(status);
  return new BerthError(kind, `${what}: ${describeErrors(entries, status)}`);
}

/** Network error codes worth retrying or falling back on: the registry was not (or no longer) reachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EPROTO',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_GOT_REQUEST_ERROR',
]);

/** The `code` of a Node/got error, if it has one. */
export function errorCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object' || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/** Whether a thrown value is a failure to talk to the registry at all (as opposed to an answer). */
export function isNetworkError(err: unknown): boolean {
  if (err instanceof BerthError) return err.kind === 'Unavailable';
  const code = errorCode(err);
  return code !== undefined && (NETWORK_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'));
}

/** Unavailable, naming the registry and the request that could not be made. */
export function networkError(registry: string, method: string, url: string, err: unknown): BerthError {
  if (err instanceof BerthError) return err;
  const text = err instanceof Error ? err.message : String(err);
  return unavailable(`registry ${registry} is unavailable: ${method} ${url}: ${text}`, err);
}
