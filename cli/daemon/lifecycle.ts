/** Running the engine until a stop signal, as the daemon command does. */

/** The part of an Engine this needs (structural, so the CLI helpers do not import actors/). */
export interface Stoppable {
  readonly stopped: Promise<void>;
  shutdown(reason?: string): Promise<void>;
}

/** The signals that ask the daemon to stop, as for dockerd. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Why the engine stopped: asked to by a signal, or on its own (a fatal escalation). */
export type StopCause = 'signal' | 'engine';

/**
 * Waits for the engine to stop. The first stop signal calls shutdown() (once: later signals are only
 * logged, so a second Ctrl-C cannot cut a drain short); rejects when the shutdown itself fails.
 */
export function serveUntilStopped(engine: Stoppable, log: (message: string) => void, signals: NodeJS.EventEmitter = process): Promise<StopCause> {
  return new Promise((resolve, reject) => {
    let requested = false;
    const onSignal = (signal: string): void => {
      if (requested) return log(`received ${signal} again; already shutting down`);
      requested = true;
      log(`received ${signal}, shutting down`);
      engine.shutdown(signal).catch((err: unknown) => settle(() => reject(err)));
    };
    const handlers = STOP_SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
    const settle = (done: () => void): void => {
      for (const [signal, handler] of handlers) signals.off(signal, handler);
      done();
    };
    for (const [signal, handler] of handlers) signals.on(signal, handler);
    engine.stopped.then(
      () => settle(() => resolve(requested ? 'signal' : 'engine')),
      (err: unknown) => settle(() => reject(err)),
    );
  });
}
