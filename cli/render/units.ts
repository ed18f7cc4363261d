/** Human-readable sizes, as docker prints them (go-units BytesSize: binary units, 4 significant digits). */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** `16777216` → `16MiB`, `16492674416` → `15.36GiB`. */
export function bytesSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < UNITS.length - 1) {
    size /= 1024;
    unit += 1;
  }
  // Number() drops the trailing zeros toPrecision keeps, as Go's %.4g does.
  return `${Number(size.toPrecision(4))}${UNITS[unit]}`;
}
