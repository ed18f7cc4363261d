import { invalidParameter } from './errdefs.js';

/**
 * Parses the `since` / `until` query values of /events and /logs: unix seconds with an optional
 * fraction of up to nine digits ("1700000000.5"), as the docker CLI sends them. Returns nanoseconds.
 */
export function parseUnixTimestamp(name: string, raw: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(raw.trim());
  if (!m) throw invalidParameter(`invalid value for ${name}: ${JSON.stringify(raw)} is not a unix timestamp`);
  const frac = (m[2] ?? '').padEnd(9, '0');
  return BigInt(m[1]!) * 1_000_000_000n + BigInt(frac || '0');
}
