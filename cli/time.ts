/**
 * Parsing of `--since` / `--until` values as the docker CLI accepts them: a Go duration relative to
 * now (`10m`, `1h30m`), unix seconds (`1700000000`, `1700000000.5`) or an RFC 3339 date (with or
 * without time and zone; no zone means local time). The result is what the API takes: unix seconds.
 */
import { invalidParameter } from '../protocol/errdefs.js';

// Go's duration units, in milliseconds (µ is accepted in both of its Unicode spellings, as Go does).
const UNIT_MS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};

/** Parses a Go duration (`300ms`, `-1.5h`, `2h45m`) into milliseconds; undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([-+]?)((?:[\d.]+[a-zµμ]+)+)$/.exec(text);
  if (!m?.[2]) return undefined;
  let total = 0;
  for (const [, num = '', unit = ''] of m[2].matchAll(/([\d.]+)([a-zµμ]+)/g)) {
    const scale = UNIT_MS[unit];
    if (scale === undefined || !/^(\d+\.?\d*|\.\d+)$/.test(num)) return undefined;
    total += Number(num) * scale;
  }
  return m[1] === '-' ? -total : total;
}

/** Turns a --since/--until value into unix seconds (a decimal string, fractional when the input was). */
export function parseTimestamp(value: string, nowMs: number = Date.now()): string {
  const text = value.trim();
  // "0" is a valid Go duration but docker reads it as the epoch, like any bare number.
  const duration = text === '0' ? undefined : parseGoDuration(text);
  if (duration !== undefined) return String(Math.floor((nowMs - duration) / 1000));
  if (/^\d+(\.\d{1,9})?$/.test(text)) return text;
  const date = parseDate(text);
  if (date !== undefined) return date;
  throw invalidParameter(`invalid timestamp "${value}": use unix seconds, an RFC 3339 date or a duration such as 10m`);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?([Zz]|[+-]\d{2}:\d{2})?$/;

/** Parses an RFC 3339 date or a prefix of one into unix seconds; undefined when it is not a date. */
export function parseDate(text: string): string | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((p) => Number(p ?? 0));
  if (!validCalendar(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  const seconds = m[8] === undefined
    ? Math.floor(new Date(year, month - 1, day, hour, minute, second).getTime() / 1000)
    : Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - zoneOffsetSeconds(m[8]);
  const nanos = (m[7] ?? '').padEnd(9, '0');
  return /^0+$/.test(nanos) ? String(seconds) : `${seconds}.${nanos}`;
}

function validCalendar(year: number, month: number, day: number): boolean {
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

function zoneOffsetSeconds(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hours = 0, minutes = 0] = zone.slice(1).split(':').map(Number);
  return sign * (hours * 3600 + minutes * 60);
}
