import { fromCallback, fromPromise, setup } from 'xstate';
import type { Listener } from './api/listen.js';
import type { ApiServer, RequestTracker } from './api/server.js';

/** Input of serveapi: the listeners bound at start-up and what serves them. */
export interface ServeApiInput {
  listeners: Listener[];
  api: ApiServer;
  tracker: RequestTracker;
  /** How long in-flight requests get to finish when draining, before connections are cut. */
  drainMs: number;
}

/** Events serveapi takes: the supervisor's shutdown starts the drain. */
export type ServeApiEvent = { type: 'supervisor.shutdown' };

/** Attaches the API to the listeners for as long as the actor serves; detaching on stop or crash. */
const serve = fromCallback<ServeApiEvent, ServeApiInput>(({ input }) => {
  for (const l of input.listeners) {
    l.server.on('request', input.api.request);
    l.server.on('upgrade', input.api.upgrade);
  }
  return () => {
    for (const l of input.listeners) {
      l.server.off('request', input.api.request);
      l.server.off('upgrade', input.api.upgrade);
    }
  };
});

/**
 * Drains: stops accepting, ends open streams, lets requests still computing finish for `drainMs`,
 * then cuts whatever connection is left. Resolves when every listener is closed.
 */
const drain = fromPromise<void, ServeApiInput>(async ({ input }) => {
  const closed = input.listeners.map((l) => new Promise<void>((r) => l.server.close(() => r())));
  for (const l of input.listeners) l.server.closeIdleConnections();
  input.tracker.endStreams();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((r) => (timer = setTimeout(r, input.drainMs)));
  await Promise.race([input.tracker.idle(), late]);
  clearTimeout(timer);
  input.tracker.abortAll();
  for (const l of input.listeners) l.server.closeAllConnections();
  await Promise.all(closed);
});

/**
 * The serveapi job (Docker's `serveapi`): serves the Engine API on the listeners until the supervisor
 * asks it to shut down, then drains and ends. Started last, so it is the first to stop.
 */
export const serveApi = setup({
  types: {} as { input: ServeApiInput; context: ServeApiInput; events: ServeApiEvent },
  actors: { serve, drain },
}).createMachine({
  id: 'serveapi',
  context: ({ input }) => input,
  initial: 'serving',
  states: {
    serving: {
      invoke: { id: 'server', src: 'serve', input: ({ context }) => context },
      on: { 'supervisor.shutdown': 'draining' },
    },
    draining: {
      invoke: { id: 'drain', src: 'drain', input: ({ context }) => context, onDone: 'stopped', onError: 'stopped' },
    },
    stopped: { type: 'final' },
  },
});
