import { chmodSync, existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { invalidParameter, system } from '../../../protocol/errdefs.js';
import type { EngineConfig } from '../../config.js';

/** A bound API listener. */
export interface Listener {
  /** As given on the command line: `unix:///run/berth/berth.sock`, `tcp://127.0.0.1:2375`. */
  address: string;
  server: http.Server;
}

/** A parsed `-H` address. */
export type HostAddress = { proto: 'unix'; path: string } | { proto: 'tcp'; host: string; port: number } | { proto: 'fd' };

/** Parses a dockerd-style `-H` value. */
export function parseHost(raw: string): HostAddress {
  if (raw.startsWith('unix://')) return { proto: 'unix', path: raw.slice(7) || '/run/berth/berth.sock' };
  if (raw.startsWith('fd://')) return { proto: 'fd' };
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]*)(?::(\d+))?\/?$/.exec(raw);
  if (!m) throw invalidParameter(`invalid daemon host ${JSON.stringify(raw)}: use unix:///path, tcp://host:port or fd://`);
  const host = (m[1] || '127.0.0.1').replace(/^\[|\]$/g, '');
  return { proto: 'tcp', host, port: Number(m[2] ?? 2375) };
}

/** Whether a host name is loopback. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function tlsOptions(config: EngineConfig): https.ServerOptions {
  const t = config.tls!;
  const read = (f: string) => readFileSync(f);
  return { key: read(t.key), cert: read(t.cert), ...(t.ca && { ca: read(t.ca) }), requestCert: t.verify, rejectUnauthorized: t.verify };
}

function newServer(config: EngineConfig, tls: boolean): http.Server {
  const s = tls ? https.createServer(tlsOptions(config)) : http.createServer();
  // Event streams and attaches stay open for hours: no request or idle timeouts on the API.
  s.requestTimeout = 0;
  s.headersTimeout = 60_000;
  s.keepAliveTimeout = 60_000;
  return s;
}

function bind(server: http.Server, target: number | string | { fd: number }, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (typeof target === 'object') server.listen(target, done);
    else if (typeof target === 'string') server.listen(target, done);
    else server.listen(target, host, done);
  });
}

/** Removes a socket file left by a daemon that died, refusing when a daemon still answers on it. */
async function clearStaleSocket(file: string): Promise<void> {
  if (!existsSync(file)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const c = net.connect(file, () => (c.destroy(), resolve(true)));
    c.on('error', () => resolve(false));
  });
  if (alive) throw system(`listen ${file}: another daemon is serving on this socket`);
  unlinkSync(file);
}

async function listenOne(config: EngineConfig, address: string): Promise<Listener> {
  const h = parseHost(address);
  if (h.proto === 'unix') {
    mkdirSync(path.dirname(h.path), { recursive: true, mode: 0o755 });
    await clearStaleSocket(h.path);
    const server = newServer(config, false);
    await bind(server, h.path);
    chmodSync(h.path, 0o660);
    return { address, server };
  }
  if (h.proto === 'fd') {
    const n = Number(process.env.LISTEN_FDS ?? 0);
    if (!n) throw invalidParameter('fd://: no sockets passed by the service manager (LISTEN_FDS is not set)');
    const server = newServer(config, false);
    await bind(server, { fd: 3 });
    return { address, server };
  }
  if (!config.tls && !config.insecureTcp) {
    throw invalidParameter(`refusing to listen on ${address} without TLS: give --tlsverify with --tlscacert, --tlscert and --tlskey, or --insecure-tcp for loopback`);
  }
  if (!config.tls && !isLoopback(h.host)) {
    throw invalidParameter(`refusing to listen on ${address} without TLS: --insecure-tcp is only allowed on loopback addresses`);
  }
  const server = newServer(config, !!config.tls);
  await bind(server, h.port, h.host);
  return { address, server };
}

/** Binds every `-H` address, closing those already bound when one fails. */
export async function listenAll(config: EngineConfig): Promise<Listener[]> {
  const out: Listener[] = [];
  try {
    for (const a of config.hosts) out.push(await listenOne(config, a));
    return out;
  } catch (err) {
    await Promise.all(out.map((l) => new Promise((r) => l.server.close(r))));
    throw err instanceof Error && 'kind' in err ? err : system(`listen: ${(err as Error).message}`, err);
  }
}
