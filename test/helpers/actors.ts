import { assign, createMachine, fromCallback, setup } from 'xstate';

/** A record of what test actors did, in order: `start a`, `stop a`, … */
export type Trace = string[];

/**
 * A worker for supervisor tests: logs `start <name>` when it starts and `stop <name>` when it is
 * stopped; `crash` makes it fail, `finish` makes it end normally, `supervisor.shutdown` makes it end
 * unless `ignoreShutdown` is set.
 */
export function worker(trace: Trace, name: string, opts: { ignoreShutdown?: boolean } = {}) {
  const life = fromCallback(() => {
    trace.push(`start ${name}`);
    return () => void trace.push(`stop ${name}`);
  });
  return setup({ actors: { life } }).createMachine({
    id: name,
    initial: 'working',
    states: {
      working: {
        invoke: { src: 'life' },
        on: {
          crash: {
            actions: () => {
              throw new Error(`${name} crashed`);
            },
          },
          finish: 'finished',
          ...(opts.ignoreShutdown ? {} : { 'supervisor.shutdown': 'finished' }),
        },
      },
      finished: { type: 'final' },
    },
  });
}

/** A machine that counts the events it gets, for ask/bus tests. */
export const counter = createMachine({
  types: {} as { context: { n: number } },
  context: { n: 0 },
  on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
});
