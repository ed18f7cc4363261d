import { fromCallback } from 'xstate';
import { filterAllows, labelsAllow, type Filters } from '../../protocol/filters.js';
import type { EventMessage, EventType } from '../../protocol/types/system.js';
import type { Bus, BusMessage, ResourceEvent } from '../kernel/bus.js';

/** The filter keys GET /events accepts (as dockerd). */
export const EVENT_FILTERS = ['config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'secret', 'service', 'type', 'volume'] as const;

const TYPES = new Set<string>(['builder', 'config', 'container', 'daemon', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'volume']);

/** Docker's EventMessage for a bus message, or null when the topic is internal (not a Docker type). */
export function toEventMessage(m: BusMessage): EventMessage | null {
  const dot = m.topic.indexOf('.');
  const type = m.topic.slice(0, dot);
  if (!TYPES.has(type)) return null;
  const p = m.payload as ResourceEvent;
  const action = p.action ?? m.topic.slice(dot + 1);
  const msg: EventMessage = {
    Type: type as EventType,
    Action: action,
    Actor: { ID: p.id, Attributes: { ...p.attributes } },
    scope: 'local',
    time: Number(m.timeNano / 1_000_000_000n),
    timeNano: Number(m.timeNano),
  };
  // Old clients read these top-level copies; dockerd still sends them for containers and images.
  if (type === 'container' || type === 'image') {
    msg.status = action;
    msg.id = p.id;
    if (p.attributes.image) msg.from = p.attributes.image;
  }
  return msg;
}

/**
 * An event as JSON, with its exact nanosecond time: timeNano is an int64 on the wire and JS numbers
 * lose its last digits, so the number is written from the bigint.
 */
export function eventJson(e: EventMessage, nano: bigint): string {
  return JSON.stringify({ ...e, timeNano: '\u0000' }).replace('"\\u0000"', nano.toString());
}

/** Whether an event passes GET /events filters. */
export function eventMatches(e: EventMessage, f: Filters): boolean {
  const a = e.Actor.Attributes;
  const typed = (t: EventType, ...c: (string | undefined)[]) => e.Type !== t || filterAllows(f, t, ...c);
  if (!filterAllows(f, 'type', e.Type)) return false;
  if (!filterAllows(f, 'event', e.Action, e.Action.split(':')[0])) return false;
  if (!filterAllows(f, 'scope', e.scope)) return false;
  if (!labelsAllow(f, a)) return false;
  for (const t of ['container', 'image', 'network', 'volume', 'daemon', 'plugin', 'node', 'service', 'secret', 'config'] as const) {
    if (f.has(t) && e.Type !== t && !(t === 'image' && e.Type === 'container')) return false;
    if (!typed(t, e.Actor.ID, a.name)) return false;
  }
  // `image=x` also selects container events of containers made from image x (as dockerd does).
  if (f.has('image') && e.Type === 'container' && !filterAllows(f, 'image', a.image)) return false;
  return true;
}

/**
 * The recent history of events, for `since` queries: a ring of the last `capacity` Docker events
 * (dockerd keeps 256). Filled by the events service while it runs.
 */
export class EventLog {
  private ring: Array<{ e: EventMessage; nano: bigint }> = [];
  constructor(readonly capacity = 1024) {}

  /** Appends an event, dropping the oldest past capacity. */
  add(e: EventMessage, nano: bigint): void {
    this.ring.push({ e, nano });
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
  }

  /** Events with since ≤ timeNano ≤ until that pass the filters, oldest first. */
  between(since: bigint, until: bigint | undefined, f: Filters): Array<{ e: EventMessage; nano: bigint }> {
    return this.ring.filter(({ e, nano }) => nano >= since && (until === undefined || nano <= until) && eventMatches(e, f));
  }
}

/** Input of the events service. */
export interface EventsServiceInput {
  bus: Bus;
  log: EventLog;
}

/** The events service: a long-lived actor that records every Docker event published on the bus. */
export const eventsService = fromCallback<{ type: string }, EventsServiceInput>(({ input }) =>
  input.bus.subscribe('*', (m) => {
    const e = toEventMessage(m);
    if (e) input.log.add(e, m.timeNano);
  }),
);
