/** Parsing and the default text of `berth events` lines. */
import type { EventMessage } from '../../protocol/types/system.js';

/** One event as received: the message, and its timeNano exactly (a double cannot hold 19 digits). */
export interface ReceivedEvent {
  event: EventMessage;
  timeNano: bigint | undefined;
}

/** Parses one line of the /events stream. */
export function parseEventLine(line: string): ReceivedEvent {
  const event = JSON.parse(line) as EventMessage;
  // Inside a JSON string a quote is escaped, so this can only match the top-level timeNano key.
  const nano = /"timeNano"\s*:\s*(\d+)/.exec(line)?.[1];
  return { event, timeNano: nano === undefined ? undefined : BigInt(nano) };
}

/** `2026-11-28T12:00:00.000000000Z`: RFC 3339 in UTC with nine fraction digits, like docker's fixed layout. */
export function formatEventTime(timeNano: bigint): string {
  const seconds = timeNano / 1_000_000_000n;
  const fraction = (timeNano % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** The default line: `<time> <type> <action> <id> (k=v, …)`, attributes sorted by key as docker does. */
export function formatEvent({ event, timeNano }: ReceivedEvent): string {
  const nanos = timeNano || (event.time ? BigInt(event.time) * 1_000_000_000n : 0n);
  const parts: string[] = nanos ? [formatEventTime(nanos)] : [];
  parts.push(event.Type, event.Action, event.Actor?.ID ?? '');
  const attributes = event.Actor?.Attributes ?? {};
  const keys = Object.keys(attributes).sort();
  if (keys.length > 0) parts.push(`(${keys.map((key) => `${key}=${attributes[key]}`).join(', ')})`);
  return parts.join(' ');
}
