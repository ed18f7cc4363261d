/**
 * docker's pattern for commands on several containers (stop, kill, rm, pause…): one request each, in
 * order; the name as given printed for each success, every failure on stderr, and exit 1 if any.
 */
import { describeError } from '../errors.js';
import { StatusError } from './errors.js';

/** What to do for one container; resolves with the line to print, or undefined to print the name. */
export type ContainerAction = (name: string) => Promise<string | undefined | void>;

/**
 * Runs the action for each name. `forgive` lets an error be shown without failing the command
 * (rm -f forgives "No such container").
 */
export async function eachContainer(names: readonly string[], action: ContainerAction, forgive?: (err: unknown) => boolean): Promise<void> {
  const errors: string[] = [];
  for (const name of names) {
    try {
      const line = await action(name);
      process.stdout.write(`${line ?? name}\n`);
    } catch (err) {
      if (err instanceof StatusError) throw err;
      if (forgive?.(err)) process.stderr.write(`${describeError(err)}\n`);
      else errors.push(describeError(err));
    }
  }
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
}
