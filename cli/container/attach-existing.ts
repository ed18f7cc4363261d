/**
 * docker's `attach` to a running container: the wait registered first, a state check before and
 * after attaching, a resize nudge so the shell redraws its prompt, then the stream and the exit
 * status (or docker's "read escape sequence" after a detach).
 */
import type http from 'node:http';
import { readText } from '../api.js';
import type { HijackClient } from '../hijack.js';
import { monitorTtySize, resizeTo, terminalSize } from '../tty.js';
import { forwardSignals, inspectContainer, openAttach, openWait, type ContainerBrief } from './attach.js';
import { StatusError } from './errors.js';
import { checkTty } from './run.js';
import { streamHijacked } from './stream.js';

/** The flags of `attach`. */
export interface AttachFlags {
  noStdin: boolean;
  sigProxy: boolean;
  detachKeys: string | undefined;
}

/** docker's inspectContainerAndCheckState. */
async function attachable(client: HijackClient, name: string): Promise<ContainerBrief> {
  const c = await inspectContainer(client, name);
  if (!c.State?.Running) throw new StatusError(1, 'You cannot attach to a stopped container, start it first');
  if (c.State.Paused) throw new StatusError(1, 'You cannot attach to a paused container, unpause it first');
  if (c.State.Restarting) throw new StatusError(1, 'You cannot attach to a restarting container, wait until it is running');
  return c;
}

/** The status of a plain wait: docker's getExitStatus. */
async function exitStatus(wait: Promise<http.IncomingMessage>): Promise<number> {
  const body = JSON.parse(await readText(await wait)) as { StatusCode: number; Error?: { Message?: string } | null };
  if (body.Error?.Message) throw new StatusError(1, body.Error.Message);
  return body.StatusCode;
}

/** Attaches to `name` until it exits or the user detaches; resolves with the CLI's exit status. */
export async function attachExisting(client: HijackClient, name: string, f: AttachFlags): Promise<number> {
  const wait = openWait(client, name, '');
  wait.catch(() => undefined);
  const c = await attachable(client, name);
  const tty = !!c.Config.Tty;
  checkTty(!f.noStdin, tty);
  const stdin = !f.noStdin && !!c.Config.OpenStdin;
  const stopSignals = f.sigProxy && !tty ? forwardSignals(client, c.Id) : () => undefined;
  try {
    const hijacked = await openAttach(client, c.Id, { stdin, stdout: true, stderr: true, detachKeys: f.detachKeys });
    await attachable(client, c.Id).catch((err: unknown) => {
      hijacked.close();
      throw err;
    });
    const size = tty ? terminalSize() : undefined;
    // One column and row more, then the real size: a shell redraws its prompt only on a change.
    if (size) await resizeTo(client, `/containers/${c.Id}`, { rows: size.rows + 1, cols: size.cols + 1 }).catch(() => undefined);
    const stopResize = size ? monitorTtySize(client, `/containers/${c.Id}`) : () => undefined;
    const end = await streamHijacked(hijacked, { tty, stdin: stdin ? process.stdin : null, stdout: process.stdout, stderr: tty ? process.stdout : process.stderr, detachKeys: f.detachKeys }).finally(stopResize);
    if (end === 'detached') throw new StatusError(1, 'read escape sequence');
    return await exitStatus(wait);
  } finally {
    stopSignals();
  }
}
