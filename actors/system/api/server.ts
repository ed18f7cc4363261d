import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { kindOf } from '../../../protocol/errdefs.js';
import type { EngineContext } from '../../context.js';
import { sendError } from './http.js';
import type { Router } from './router.js';

interface InFlight {
  res: ServerResponse;
  abort: AbortController;
}

/** The requests being served, so that a drain can wait for them and end the open streams. */
export class RequestTracker {
  private readonly inFlight = new Set<InFlight>();
  private waiters: Array<() => void> = [];

  /** Registers a request; returns its entry to pass to `done`. */
  begin(res: ServerResponse): InFlight {
    const entry = { res, abort: new AbortController() };
    this.inFlight.add(entry);
    return entry;
  }

  /** Unregisters a request. */
  done(entry: InFlight): void {
    if (!this.inFlight.delete(entry) || this.inFlight.size) return;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** How many requests are being served. */
  get size(): number {
    return this.inFlight.size;
  }

  /**
   * Ends every response that has started streaming (events, progress): such a stream only ends when
   * its client leaves, so a drain must end it. Requests still computing their answer are left to finish.
   */
  endStreams(): void {
    for (const e of this.inFlight) if (e.res.headersSent) e.abort.abort();
  }

  /** Aborts every request. */
  abortAll(): void {
    for (const e of this.inFlight) e.abort.abort();
  }

  /** Resolves when no request is in flight. */
  idle(): Promise<void> {
    if (!this.inFlight.size) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }
}

/** Handlers for the HTTP servers: routing, errors as Docker writes them, a debug line per request. */
export interface ApiServer {
  request(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** Extra handler for Upgrade requests on a path (the live actor stream's WebSocket). */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Builds the request handler over a router. */
export function apiServer(router: Router, engine: EngineContext, tracker: RequestTracker, upgrades: Record<string, UpgradeHandler>): ApiServer {
  async function serve(req: IncomingMessage, res: ServerResponse, entry: InFlight, socket?: Duplex): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://berth');
    const method = req.method ?? 'GET';
    try {
      const m = router.match(method, url.pathname);
      await m.handler({ method, path: url.pathname, version: m.version, params: m.params, query: url.searchParams, raw: req, signal: entry.abort.signal, engine, ...(socket && { socket }) }, res);
    } catch (err) {
      const e = sendError(res, err);
      if (kindOf(e) === 'System') engine.log.error(`${method} ${url.pathname}: ${e.message}`);
    }
  }
  function track(req: IncomingMessage, res: ServerResponse): InFlight {
    const entry = tracker.begin(res);
    const started = Date.now();
    res.on('close', () => {
      entry.abort.abort(); // the client left (or the response ended): stop any job still writing to it
      tracker.done(entry);
      engine.log.debug(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
    });
    return entry;
  }
  return {
    request(req, res) {
      void serve(req, res, track(req, res));
    },
    /**
     * `Upgrade: tcp` requests (attach, exec start) go through the router like any other; their handler
     * takes the raw socket over (see hijack()), and errors before that are plain HTTP answers on it.
     */
    upgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://berth').pathname;
      const handler = upgrades[path];
      if (handler) return handler(req, socket, head);
      if (head.length) socket.unshift(head);
      const res = new ServerResponse(req);
      res.assignSocket(socket as Socket);
      const entry = track(req, res);
      socket.on('close', () => entry.abort.abort());
      void serve(req, res, entry, socket);
    },
  };
}
