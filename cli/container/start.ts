/**
 * docker's `start -a` / `start -i`: inspect, attach, register the wait, start, then follow the
 * container to its exit like run does.
 */
import type { HijackClient } from '../hijack.js';
import { forwardSignals, inspectContainer, openAttach, openWait, waitStatus } from './attach.js';
import { follow } from './run.js';

/** How to attach when starting. */
export interface StartAttach {
  /** -i: attach stdin too (if the container keeps it open). */
  stdin: boolean;
  detachKeys: string | undefined;
}

/** Starts `name` attached; resolves with the exit status for the CLI. */
export async function startAttached(client: HijackClient, name: string, o: StartAttach): Promise<number> {
  const c = await inspectContainer(client, name);
  const tty = !!c.Config.Tty;
  const stdin = o.stdin && !!c.Config.OpenStdin;
  const stopSignals = tty ? () => undefined : forwardSignals(client, c.Id);
  try {
    const hijacked = await openAttach(client, c.Id, { stdin, stdout: true, stderr: true, detachKeys: o.detachKeys });
    const wait = await openWait(client, c.Id, c.HostConfig?.AutoRemove ? 'removed' : 'next-exit');
    try {
      await client.text('POST', `/containers/${c.Id}/start`);
    } catch (err) {
      hijacked.close();
      if (c.HostConfig?.AutoRemove) await waitStatus(wait).catch(() => undefined);
      else wait.destroy();
      throw err;
    }
    return await follow(client, c.Id, hijacked, wait, { tty, stdin, detachKeys: o.detachKeys });
  } finally {
    stopSignals();
  }
}
