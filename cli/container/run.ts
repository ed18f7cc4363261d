/**
 * docker's runContainer, request for request: create (pulling on "No such image"), attach before
 * start unless detached, wait (next-exit, or removed with --rm) registered before start, start,
 * then stream until the exit and leave with the container's status.
 */
import type http from 'node:http';
import { describeError } from '../errors.js';
import type { HijackClient, Hijacked } from '../hijack.js';
import { monitorTtySize } from '../tty.js';
import { forwardSignals, openAttach, openWait, waitStatus } from './attach.js';
import { detached, type CreatePlan } from './config.js';
import { createContainer } from './create.js';
import { StatusError } from './errors.js';
import { streamHijacked } from './stream.js';

/** The run as the flags decided it. */
export interface RunPlan extends CreatePlan {
  detach: boolean;
  detachKeys: string | undefined;
  sigProxy: boolean;
  quiet: boolean;
}

/** docker's runStartContainerErr: 127 for a command not found, 126 for one that cannot run, else 125. */
export function startErrorStatus(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return 127;
  if (/permission denied|is a directory/.test(message)) return 126;
  return 125;
}

/** docker's message for a failed run: `berth: <error>` and where to look for help. */
export function runFailure(err: unknown, status = 125): StatusError {
  return new StatusError(status, `berth: ${describeError(err)}\n\nRun 'berth run --help' for more information`);
}

/** docker's CheckTty: a TTY for attached stdin needs a terminal on our side. */
export function checkTty(attachStdin: boolean, tty: boolean): void {
  if (tty && attachStdin && !process.stdin.isTTY) throw new StatusError(1, 'the input device is not a TTY');
}

/** Runs the plan; resolves with the exit status for the CLI. */
export async function runContainer(client: HijackClient, plan: RunPlan): Promise<number> {
  const body = plan.detach ? detached(plan.body) : plan.body;
  if (!plan.detach) checkTty(!!body.AttachStdin, !!body.Tty);
  const id = await createContainer(client, { ...plan, body }, plan.quiet).catch((err: unknown) => {
    throw runFailure(err);
  });
  const attached = !!(body.AttachStdin || body.AttachStdout || body.AttachStderr);
  const stopSignals = attached && !body.Tty && plan.sigProxy ? forwardSignals(client, id) : () => undefined;
  try {
    const hijacked = attached ? await openAttach(client, id, { stdin: !!body.AttachStdin, stdout: !!body.AttachStdout, stderr: !!body.AttachStderr, detachKeys: plan.detachKeys }) : null;
    const wait = await openWait(client, id, body.HostConfig?.AutoRemove ? 'removed' : 'next-exit');
    await start(client, id, hijacked, wait, !!body.HostConfig?.AutoRemove);
    if (!hijacked) {
      wait.destroy();
      process.stdout.write(`${id}\n`);
      return 0;
    }
    return await follow(client, id, hijacked, wait, { tty: !!body.Tty, stdin: !!body.AttachStdin, detachKeys: plan.detachKeys });
  } finally {
    stopSignals();
  }
}

/** POST start; on failure, closes the attachment, lets --rm finish, and fails as docker does. */
async function start(client: HijackClient, id: string, hijacked: Hijacked | null, wait: http.IncomingMessage, autoRemove: boolean): Promise<void> {
  try {
    await client.text('POST', `/containers/${id}/start`);
  } catch (err) {
    hijacked?.close();
    if (autoRemove) await waitStatus(wait).catch(() => undefined);
    else wait.destroy();
    throw runFailure(err, startErrorStatus(describeError(err)));
  }
}

/** How to follow an attached container. */
export interface FollowOptions {
  tty: boolean;
  stdin: boolean;
  detachKeys: string | undefined;
}

/** Streams the attached container, then its exit status (0 after a detach, as docker). */
export async function follow(client: HijackClient, id: string, hijacked: Hijacked, wait: http.IncomingMessage, o: FollowOptions): Promise<number> {
  const stopResize = o.tty ? monitorTtySize(client, `/containers/${id}`) : () => undefined;
  try {
    const end = await streamHijacked(hijacked, {
      tty: o.tty,
      stdin: o.stdin ? process.stdin : null,
      stdout: process.stdout,
      // With a TTY there is one stream; docker sends its "stderr" to stdout too.
      stderr: o.tty ? process.stdout : process.stderr,
      detachKeys: o.detachKeys,
    });
    if (end === 'detached') {
      wait.destroy();
      return 0;
    }
    return await waitStatus(wait);
  } finally {
    stopResize();
  }
}
