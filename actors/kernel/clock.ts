/** The timer half of a clock, as xstate's actor systems call it. */
export interface TimerClock {
  setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/**
 * The clock seam. xstate schedules delayed events through `setTimeout` / `clearTimeout` of the
 * system's clock; the kernel also reads `now()` from it (restart intensity windows, ask timeouts),
 * so one simulated clock drives both in tests.
 */
export interface Clock extends TimerClock {
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/** A clock that only moves when told to; timers fire in due order inside `advance()`. */
export class SimulatedClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers = new Map<number, Timer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: (...args: unknown[]) => void, ms: number): number {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(id: unknown): void {
    this.timers.delete(id as number);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let t = this.nextDue(end); t; t = this.nextDue(end)) {
      this.timers.delete(t.id);
      this.time = t.at;
      t.fn();
    }
    this.time = end;
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.timers.size;
  }

  private nextDue(end: number): Timer | undefined {
    let due: Timer | undefined;
    for (const t of this.timers.values()) {
      if (t.at <= end && (!due || t.at < due.at || (t.at === due.at && t.id < due.id))) due = t;
    }
    return due;
  }
}

/** The `now()` of an actor system's clock (the wall clock when the system has a plain one). */
export function nowOf(system: { _clock: unknown }): number {
  const clock = system._clock as Partial<Clock>;
  return typeof clock.now === 'function' ? clock.now() : Date.now();
}
