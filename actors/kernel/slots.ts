/**
 * A counting semaphore served first come, first served: at most `limit` holders at a time (a pull's
 * concurrent downloads, as dockerd's --max-concurrent-downloads bounds them).
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!(limit >= 1)) throw new RangeError(`slots: the limit must be at least 1, not ${limit}`);
    this.free = limit;
  }

  /** Waits for a slot; the function returned gives it back (calling it again does nothing). */
  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight on: a later take() cannot jump the queue
      else this.free++;
    };
  }
}
