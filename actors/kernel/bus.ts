import type { Logger } from './log.js';

/**
 * The topics of the internal bus and what each carries, `<resource>.<action>` as Docker event actions
 * are named. Modules add their own topics by augmenting this interface:
 *
 *     declare module '../kernel/bus.js' { interface Topics { 'container.create': ContainerEvent } }
 */
export interface Topics {
  'daemon.start': ResourceEvent;
  'daemon.shutdown': ResourceEvent;
  'container.create': ResourceEvent;
  'container.start': ResourceEvent;
  'container.die': ResourceEvent;
  'container.stop': ResourceEvent;
  'container.kill': ResourceEvent;
  'container.destroy': ResourceEvent;
  'container.restart': ResourceEvent;
  'container.pause': ResourceEvent;
  'container.unpause': ResourceEvent;
  'container.rename': ResourceEvent;
  'container.attach': ResourceEvent;
  'container.oom': ResourceEvent;
  'image.pull': ResourceEvent;
  'image.push': ResourceEvent;
  'image.tag': ResourceEvent;
  'image.untag': ResourceEvent;
  'image.delete': ResourceEvent;
  'image.prune': ResourceEvent;
  'image.import': ResourceEvent;
  'image.load': ResourceEvent;
  'image.save': ResourceEvent;
}

/** The payload of most resource events: the object's id and its attributes (as EventActor). */
export interface ResourceEvent {
  id: string;
  attributes: Record<string, string>;
  /** The full Docker action when it says more than the topic, e.g. `exec_start: sh -c true`. */
  action?: string;
}

/** A topic name. */
export type Topic = keyof Topics & string;

/** One message as subscribers see it. */
export interface BusMessage<T extends Topic = Topic> {
  topic: T;
  payload: Topics[T];
  /** Nanoseconds since the epoch (Docker events carry timeNano). */
  timeNano: bigint;
}

/** A subscription pattern: a topic, `<resource>.*`, or `*`. */
export type TopicPattern = Topic | `${string}.*` | '*';

type Listener = (message: BusMessage) => void;

/** Whether a topic matches a pattern. */
export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === '*' || pattern === topic) return true;
  return pattern.endsWith('.*') && topic.startsWith(pattern.slice(0, -1));
}

/**
 * A typed publish / subscribe bus. Delivery is synchronous and in order; a listener that throws is
 * logged and does not stop the others, nor the publisher.
 */
export class Bus {
  private listeners = new Set<{ pattern: string; fn: Listener }>();

  constructor(
    private readonly log?: Logger,
    private readonly nowNano: () => bigint = () => process.hrtime.bigint() - HR_ORIGIN + EPOCH_ORIGIN,
  ) {}

  /** Publishes a message to every matching subscriber. */
  publish<T extends Topic>(topic: T, payload: Topics[T]): BusMessage<T> {
    const message: BusMessage<T> = { topic, payload, timeNano: this.nowNano() };
    for (const l of [...this.listeners]) {
      if (!topicMatches(l.pattern, topic)) continue;
      try {
        l.fn(message as unknown as BusMessage);
      } catch (err) {
        this.log?.error('bus: a subscriber failed', { topic, error: (err as Error).message });
      }
    }
    return message;
  }

  /** Subscribes to a pattern; returns the function that unsubscribes. */
  subscribe(pattern: TopicPattern, fn: Listener): () => void {
    const entry = { pattern, fn };
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  /** How many subscriptions are open (Docker's NEventsListener counts event streams). */
  get size(): number {
    return this.listeners.size;
  }
}

// A monotonic nanosecond clock anchored to the epoch once, so event times never go backwards.
const HR_ORIGIN = process.hrtime.bigint();
const EPOCH_ORIGIN = BigInt(Date.now()) * 1_000_000n;
