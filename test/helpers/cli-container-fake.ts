/**
 * A fake Docker-API daemon for the container commands: it records every request (hijacked ones too),
 * answers by route, and can play the hijacked side of attach and exec start on the raw socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { BERTH_BIN } from './cli-run.js';

/** One request as the fake saw it; `upgrade` marks a hijacked one. */
export interface Seen {
  method: string;
  /** The path without the /v1.47 prefix, with the query. */
  url: string;
  body: string;
  upgrade: boolean;
  headers: http.IncomingHttpHeaders;
}

/** Answers a plain request. */
export type Route = (res: http.ServerResponse, seen: Seen) => void;

/** Plays the daemon's side of a hijacked request, after the fake has sent the 101. */
export type HijackRoute = (socket: Duplex, seen: Seen) => void;

/** A running fake. */
export interface ContainerFake {
  host: string;
  seen: Seen[];
  /** `METHOD /path` of every request but the pings, in order. */
  lines(): string[];
  close(): Promise<void>;
}

/** Writes a JSON answer. */
export function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** One frame of the multiplexed stream. */
export function frame(stream: number, text: string): Buffer {
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([head, Buffer.from(text)]);
}

function record(req: http.IncomingMessage, body: string, upgrade: boolean): Seen {
  return { method: req.method ?? '', url: (req.url ?? '').replace(/^\/v1\.\d+/, ''), body, upgrade, headers: req.headers };
}

function routeKey(seen: Seen): string {
  return `${seen.method} ${seen.url.split('?')[0]}`;
}

/**
 * Starts the fake. `routes` and `hijacks` are keyed `METHOD /path` (path without the version and
 * query); a route may also be keyed by a path pattern with `*` for one segment.
 */
export async function startContainerFake(routes: Record<string, Route>, hijacks: Record<string, HijackRoute> = {}): Promise<ContainerFake> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-cli-ctr-'));
  const socketPath = join(dir, 'fake.sock');
  const seen: Seen[] = [];
  const find = <T>(table: Record<string, T>, key: string): T | undefined =>
    table[key] ?? Object.entries(table).find(([k]) => new RegExp(`^${k.replace(/[.?+]/g, '\\$&').replace(/\*/g, '[^/]+')}$`).test(key))?.[1];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
      if (req.url === '/_ping') return void res.writeHead(200, { 'Api-Version': '1.47' }).end('OK');
      const s = record(req, body, false);
      seen.push(s);
      const route = find(routes, routeKey(s));
      if (route) route(res, s);
      else json(res, 404, { message: 'page not found' });
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    let body = head.toString('utf8');
    const s = record(req, body, true);
    seen.push(s);
    const play = find(hijacks, routeKey(s));
    if (!play) return void socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{"message":"page not found"}');
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    // A JSON body (exec start) may come after the head; give it a moment before playing.
    const length = Number(req.headers['content-length'] ?? 0);
    if (Buffer.byteLength(body) >= length) return play(socket, s);
    const more = (c: Buffer): void => {
      body += c.toString('utf8');
      if (Buffer.byteLength(body) < length) return;
      socket.off('data', more);
      s.body = body;
      play(socket, s);
    };
    socket.on('data', more);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    host: `unix://${socketPath}`,
    seen,
    lines: () => seen.map((s) => `${s.method} ${s.url}`),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What a run of the CLI printed and how it ended. */
export interface BerthRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How to run the CLI: extra environment, a working directory, stdin (none when undefined). */
export interface BerthOptions {
  env?: Record<string, string>;
  cwd?: string;
  input?: string;
}

/** Runs `berth <args>` against `host`. */
export function runBerth(host: string, args: string[], opts: BerthOptions = {}): Promise<BerthRun> {
  return spawnBerth(host, args, opts).done;
}

/** Starts `berth <args>` against `host`; `child` is there to be signalled (by its pid, ours). */
export function spawnBerth(host: string, args: string[], opts: BerthOptions = {}): { child: ChildProcess; done: Promise<BerthRun> } {
  const env = { ...process.env, ...opts.env, BERTH_HOST: host };
  const child = spawn(process.execPath, [BERTH_BIN, ...args], { env, cwd: opts.cwd, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(opts.input);
  const done = new Promise<BerthRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}
