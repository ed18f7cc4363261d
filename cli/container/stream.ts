/**
 * docker's hijackedIOStreamer: while attached, the container's output goes to our stdout/stderr,
 * our stdin (raw on a terminal) goes to the container, and the detach keys end it all quietly.
 */
import type { Writable } from 'node:stream';
import type { Hijacked } from '../hijack.js';
import { DEFAULT_DETACH_KEYS, DetachWatcher, copyOutput, forwardInput, parseDetachKeys } from '../stdio.js';
import { makeRaw } from '../tty.js';

/** What to connect to the hijacked stream. */
export interface StreamOptions {
  tty: boolean;
  /** Our stdin when the container's is attached, else null. */
  stdin: NodeJS.ReadStream | null;
  stdout: Writable | null;
  stderr: Writable | null;
  /** `--detach-keys`; docker's ctrl-p,ctrl-q when not given. */
  detachKeys?: string | undefined;
}

/** How an attachment ended: the stream closed ('done') or the user typed the detach keys. */
export type StreamEnd = 'done' | 'detached';

// After the detach keys, how long to give the daemon to close its side before leaving anyway.
const DETACH_GRACE_MS = 2000;

/** The detach key bytes; an invalid spec falls back to the default with docker's warning. */
export function detachKeyBytes(spec: string | undefined): Buffer {
  if (!spec) return DEFAULT_DETACH_KEYS;
  const keys = parseDetachKeys(spec);
  if (keys) return keys;
  process.stderr.write(`invalid detach escape keys, using default: Unknown character: '${spec}'\n`);
  return DEFAULT_DETACH_KEYS;
}

const never = new Promise<never>(() => undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Streams until the output ends (the container's process is gone, or the daemon closed it) or the
 * user detaches. Like docker, detach keys are watched only when a terminal's input goes to a TTY.
 */
export async function streamHijacked(h: Hijacked, o: StreamOptions): Promise<StreamEnd> {
  const watching = o.stdin !== null && o.tty;
  const restore = watching && o.stdin ? makeRaw(o.stdin) : () => undefined;
  const watcher = watching ? new DetachWatcher(detachKeyBytes(o.detachKeys)) : undefined;
  let detached = false;
  const output = copyOutput(h.output as AsyncIterable<Buffer>, o.tty, { stdout: o.stdout, stderr: o.stderr });
  const input = o.stdin && h.input ? forwardInput(o.stdin, h.input, watcher) : never;
  // Input may fail after the output has ended (writing to a closed connection): nothing to report then.
  input.catch(() => undefined);
  try {
    const first = await Promise.race([output.then(() => 'output' as const), input]);
    if (first === 'detached') {
      detached = true;
      await Promise.race([output.catch(() => undefined), sleep(DETACH_GRACE_MS)]);
      return 'detached';
    }
    if (first === 'ended') await output;
    return 'done';
  } catch (err) {
    // A connection the daemon drops right after a detach is not an error worth showing.
    if (detached) return 'detached';
    throw err;
  } finally {
    restore();
    h.close();
  }
}
