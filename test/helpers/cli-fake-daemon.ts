/** A fake Docker-API daemon on a unix socket in a tmpdir, for testing the CLI client and commands. */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the fake saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Answers one request. */
export type FakeHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

/** How the fake answers: /_ping (by default 200 with `Api-Version: apiVersion`) and everything else. */
export interface FakeDaemonOptions {
  /** The Api-Version header of the default /_ping answer; null sends none. Default 1.47. */
  apiVersion?: string | null;
  /** Replaces the default /_ping answer (HEAD and GET). */
  ping?: FakeHandler;
  /** Answers every other request; default 404. */
  handler?: FakeHandler;
}

/** A running fake. */
export interface FakeDaemon {
  socketPath: string;
  /** `unix://<socketPath>`, ready for -H. */
  host: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Writes a JSON answer. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** Starts a fake daemon; close() stops it and removes its directory. */
export async function startFakeDaemon(options: FakeDaemonOptions = {}): Promise<FakeDaemon> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-cli-'));
  const socketPath = join(dir, 'berth.sock');
  const requests: SeenRequest[] = [];
  const apiVersion = options.apiVersion === undefined ? '1.47' : options.apiVersion;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
      const defaultPing: FakeHandler = (_req, answer) => ping(answer, apiVersion);
      const notFound: FakeHandler = (_req, answer) => sendJson(answer, 404, { message: 'page not found' });
      const handle = req.url === '/_ping' ? (options.ping ?? defaultPing) : (options.handler ?? notFound);
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    host: `unix://${socketPath}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The ping answer of a daemon announcing `apiVersion` (none when null). */
export function ping(res: http.ServerResponse, apiVersion: string | null): void {
  if (apiVersion !== null) res.setHeader('Api-Version', apiVersion);
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('OK');
}
