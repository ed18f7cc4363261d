import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { EngineContext } from '../../context.js';

/** What a route handler gets: the parsed request and the engine to run jobs on. */
export interface ApiRequest {
  method: string;
  /** The path without its version prefix. */
  path: string;
  /** The API version the client speaks for this request. */
  version: string;
  params: Record<string, string>;
  query: URLSearchParams;
  raw: IncomingMessage;
  /** Aborted when the client goes away or the daemon drains. */
  signal: AbortSignal;
  engine: EngineContext;
  /** Set for hijacked (Upgrade) requests: the raw connection. */
  socket?: Duplex;
}

/** A route handler: parse, call one job, write. */
export type ApiHandler = (req: ApiRequest, res: ServerResponse) => Promise<void>;
