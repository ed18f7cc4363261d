/** Dates as Go's time package prints them in local time, for the CreatedAt fields of docker's tables. */

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

/** `+0100` or `+01:00` for the local zone offset at that date (JS counts minutes the other way round). */
function offset(date: Date, colon: boolean): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(Math.abs(minutes) / 60))}${colon ? ':' : ''}${pad(Math.abs(minutes) % 60)}`;
}

function localParts(date: Date): string[] {
  return [
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`,
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`,
  ];
}

/** The zone's short name; Intl says `GMT+1` where Go's tz database says `CET`, and `UTC` alike. */
function zoneName(date: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName');
  return part?.value ?? offset(date, false);
}

/** Go's `Time.String()` of a unix time: `2024-01-01 00:00:00 +0000 UTC`. */
export function goTimeString(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  const [day, time] = localParts(date);
  return `${day} ${time} ${offset(date, false)} ${zoneName(date)}`;
}

/** RFC 3339 in local time, as Go's `time.RFC3339` layout: `2024-01-01T00:00:00Z` in UTC. */
export function rfc3339(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  const [day, time] = localParts(date);
  const zone = date.getTimezoneOffset() === 0 ? 'Z' : offset(date, true);
  return `${day}T${time}${zone}`;
}
