/**
 * Sizes and ages the way docker prints them (go-units HumanSizeWithPrecision and HumanDuration), so
 * that `berth images` and `docker images` agree to the character, including Go's `%g` quirks.
 */

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/**
 * Go's `%.<precision>g`: at most `precision` significant digits, trailing zeros dropped, and an
 * exponent (`1e+03`) when the rounded exponent is below -4 or reaches the precision.
 */
export function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  const [mantissa = '0', exp = '0'] = value.toExponential(precision - 1).split('e');
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= precision) {
    const digits = Math.abs(exponent) < 10 ? `0${Math.abs(exponent)}` : String(Math.abs(exponent));
    return `${trimZeros(mantissa)}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  return trimZeros(value.toFixed(Math.max(0, precision - 1 - exponent)));
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * Decimal size with `precision` significant digits: `1982364` → `1.98MB` (precision 3, as in
 * `docker images` and `history`) or `1.982MB` (precision 4, go-units' HumanSize, as in progress bars).
 */
export function humanSize(bytes: number, precision = 4): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    unit += 1;
  }
  return `${formatG(size, precision)}${DECIMAL_UNITS[unit]}`;
}

const HOUR = 3600;

/** go-units HumanDuration of a span in seconds: `Less than a second`, `About an hour`, `2 years`… */
export function humanDuration(seconds: number): string {
  const s = Math.trunc(seconds);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  // Go's Duration.Round(time.Hour): halves round away from zero.
  const hours = Math.round(seconds / HOUR);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(seconds / HOUR) / 24 / 365)} years`;
}

/** `2 hours ago` for a unix time in seconds, measured from `nowMs` (docker's CreatedSince). */
export function since(unixSeconds: number, nowMs: number): string {
  return `${humanDuration(nowMs / 1000 - unixSeconds)} ago`;
}
