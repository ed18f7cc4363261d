/**
 * The base of the image commands: a client that can stream (ApiClient), the display of the daemon's
 * JSON message streams, and docker's exit 1 for an error the daemon reports inside such a stream.
 */
import type http from 'node:http';
import type { Interfaces } from '@oclif/core';
import { ApiClient } from './api.js';
import { BerthCommand, type GlobalFlags } from './base.js';
import { system } from '../protocol/errdefs.js';
import { parseHost } from './host.js';
import { MessageDisplay, streamError, type JsonMessage } from './render/progress.js';
import { loadTls, wantsTls } from './tls.js';

/**
 * An error the daemon put in a stream after answering 200: the pull (or push, load, import) failed,
 * and like docker the CLI exits 1 rather than 125.
 */
export class StreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamError';
  }
}

/** A command that may stream to or from the daemon. */
export abstract class ImageCommand extends BerthCommand {
  private api: ApiClient | undefined;

  /** The client for the host and TLS flags, closed when the run ends. */
  protected async apiClient(flags: GlobalFlags): Promise<ApiClient> {
    const tls = await loadTls(flags);
    this.api = new ApiClient(parseHost(flags.host, wantsTls(flags)), tls);
    return this.api;
  }

  /**
   * Shows a JSON message stream on stdout as docker does (in place on a terminal); `quiet` shows
   * nothing. Throws StreamError at the first error in the stream.
   */
  protected async showStream(client: ApiClient, res: http.IncomingMessage, quiet = false): Promise<void> {
    const tty = !quiet && process.stdout.isTTY === true;
    const display = new MessageDisplay(tty, process.stdout.columns || undefined);
    for await (const line of client.readLines(res)) {
      const msg = parseMessage(line);
      const error = streamError(msg);
      if (error !== undefined) throw new StreamError(error);
      if (!quiet) process.stdout.write(display.render(msg));
    }
  }

  protected override async catch(err: Interfaces.CommandError): Promise<unknown> {
    // berth's daemon streams every answer of a pull, so its refusals arrive here; docker shows those
    // from dockerd as "Error response from daemon:", which is what users look for.
    if (err instanceof StreamError) return this.fail(`Error response from daemon: ${err.message}`, 1);
    return super.catch(err);
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.api?.close();
    return super.finally(err);
  }
}

function parseMessage(line: string): JsonMessage {
  try {
    return JSON.parse(line) as JsonMessage;
  } catch {
    throw system(`the daemon sent a line that is not a JSON message: ${line.slice(0, 200)}`);
  }
}
