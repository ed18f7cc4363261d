/**
 * docker's `exec`: inspect first (so "No such container" wins), create the exec, then either start it
 * detached or hijack its start, follow it, and leave with its exit code from GET /exec/{id}/json.
 */
import type { HijackClient } from '../hijack.js';
import { monitorTtySize, terminalSize } from '../tty.js';
import { inspectContainer } from './attach.js';
import { containerEnv } from './env.js';
import { OptionError, StatusError } from './errors.js';
import { checkTty } from './run.js';
import { streamHijacked } from './stream.js';

/** The flags of `exec`. */
export interface ExecFlags {
  detach: boolean;
  interactive: boolean;
  tty: boolean;
  user: string | undefined;
  workdir: string | undefined;
  privileged: boolean;
  env: string[];
  envFile: string[];
  detachKeys: string | undefined;
}

/** The body of POST /containers/{id}/exec, with docker's fields in docker's order. */
export function execConfig(f: ExecFlags, cmd: readonly string[]): Record<string, unknown> {
  const size = f.tty ? terminalSize() : undefined;
  let env: string[] | null;
  try {
    env = containerEnv(f.envFile, f.env);
  } catch (err) {
    throw new OptionError((err as Error).message);
  }
  return {
    User: f.user ?? '', Privileged: f.privileged, Tty: f.tty, ...(size ? { ConsoleSize: [size.rows, size.cols] } : {}),
    AttachStdin: !f.detach && f.interactive, AttachStderr: !f.detach, AttachStdout: !f.detach, Detach: f.detach,
    DetachKeys: f.detachKeys ?? '', Env: env, WorkingDir: f.workdir ?? '', Cmd: [...cmd],
  };
}

/** Runs `cmd` in container `name`; resolves with the exit status for the CLI. */
export async function execInContainer(client: HijackClient, name: string, cmd: readonly string[], f: ExecFlags): Promise<number> {
  await inspectContainer(client, name);
  if (!f.detach) checkTty(f.interactive, f.tty);
  const config = execConfig(f, cmd);
  const { Id: id } = JSON.parse(await client.text('POST', `/containers/${name}/exec`, { body: config })) as { Id: string };
  if (!id) throw new StatusError(1, 'exec ID empty');
  const start = { Detach: f.detach, Tty: f.tty, ...(config.ConsoleSize ? { ConsoleSize: config.ConsoleSize } : {}) };
  if (f.detach) {
    await client.text('POST', `/exec/${id}/start`, { body: start });
    return 0;
  }
  const hijacked = await client.hijack(`/exec/${id}/start`, { body: start });
  const stopResize = f.tty ? monitorTtySize(client, `/exec/${id}`) : () => undefined;
  const end = await streamHijacked(hijacked, {
    tty: f.tty, stdin: f.interactive ? process.stdin : null, stdout: process.stdout, stderr: f.tty ? process.stdout : process.stderr, detachKeys: f.detachKeys,
  }).finally(stopResize);
  if (end === 'detached') throw new StatusError(1, 'read escape sequence');
  const inspected = JSON.parse(await client.text('GET', `/exec/${id}/json`)) as { ExitCode?: number | null };
  return inspected.ExitCode ?? 0;
}
