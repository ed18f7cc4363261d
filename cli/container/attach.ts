/**
 * The requests around an attached container, as the docker CLI makes them: the hijacked attach,
 * the wait registered before start (its headers come at once, its body at the exit), and the
 * signal proxy of attached runs without a TTY.
 */
import type http from 'node:http';
import type { ContainerWaitResponse, PortBinding } from '../../protocol/types/containers.js';
import type { ApiClient } from '../api.js';
import { readText } from '../api.js';
import type { HijackClient, Hijacked } from '../hijack.js';

/** The part of GET /containers/{id}/json that attaching needs. */
export interface ContainerBrief {
  Id: string;
  Name: string;
  Config: { Tty?: boolean; OpenStdin?: boolean };
  HostConfig?: { AutoRemove?: boolean };
  State?: { Running?: boolean; Paused?: boolean; Restarting?: boolean };
  NetworkSettings?: { Ports?: Record<string, PortBinding[] | null> | null };
}

/** GET /containers/{name}/json, by name, ID or ID prefix. */
export async function inspectContainer(client: ApiClient, name: string): Promise<ContainerBrief> {
  return JSON.parse(await client.text('GET', `/containers/${name}/json`)) as ContainerBrief;
}

/** Which streams to attach, and the detach keys for the daemon. */
export interface AttachStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string | undefined;
}

const flag = (on: boolean): string | undefined => (on ? '1' : undefined);

/** POST /containers/{id}/attach?…&stream=1, hijacked (query keys in Go's sorted order). */
export function openAttach(client: HijackClient, id: string, s: AttachStreams): Promise<Hijacked> {
  return client.hijack(`/containers/${id}/attach`, {
    query: { detachKeys: s.detachKeys || undefined, stderr: flag(s.stderr), stdin: flag(s.stdin), stdout: flag(s.stdout), stream: '1' },
  });
}

/** The conditions of POST /containers/{id}/wait; '' sends none (the daemon's not-running). */
export type WaitCondition = '' | 'next-exit' | 'removed' | 'not-running';

/** Registers a wait: resolves once the daemon has answered the headers, before the container exits. */
export function openWait(client: ApiClient, id: string, condition: WaitCondition): Promise<http.IncomingMessage> {
  return client.stream('POST', `/containers/${id}/wait`, { query: { condition: condition || undefined } });
}

/**
 * The exit status a wait ends with; an error in the body (the daemon gave up waiting) is reported
 * as docker does and counts as 125.
 */
export async function waitStatus(res: http.IncomingMessage): Promise<number> {
  const text = await readText(res).catch((err: Error) => JSON.stringify({ StatusCode: -1, Error: { Message: err.message } }));
  let body: ContainerWaitResponse;
  try {
    body = JSON.parse(text) as ContainerWaitResponse;
  } catch {
    body = { StatusCode: -1, Error: { Message: `unexpected wait answer: ${text.slice(0, 100)}` } };
  }
  if (body.Error?.Message) {
    process.stderr.write(`Error waiting for container: ${body.Error.Message}\n`);
    return 125;
  }
  return body.StatusCode;
}

// Signals a terminal or a supervisor sends; the rest are not ours to forward (docker skips SIGCHLD, SIGPIPE, SIGURG).
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/**
 * docker's --sig-proxy: every signal we get is sent to the container with POST /kill?signal=NAME
 * (docker's names, without SIG), and we keep waiting for its exit. Returns the undo.
 */
export function forwardSignals(client: ApiClient, id: string): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    void client.text('POST', `/containers/${id}/kill`, { query: { signal: signal.slice(3) } }).catch(() => undefined);
  };
  for (const signal of FORWARDED) process.on(signal, handler);
  return () => {
    for (const signal of FORWARDED) process.off(signal, handler);
  };
}
