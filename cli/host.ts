/** Parsing of `-H/--host` values on the client side, after the docker CLI's rules. */
import { DEFAULT_SOCKET } from '../protocol/api.js';
import { invalidParameter } from '../protocol/errdefs.js';

/** The host used when neither -H nor BERTH_HOST names one. */
export const DEFAULT_HOST = `unix://${DEFAULT_SOCKET}`;

/** Where the client connects: a unix socket or a tcp address. `text` is the normalised host string. */
export type DaemonHost =
  | { kind: 'unix'; socketPath: string; text: string }
  | { kind: 'tcp'; hostname: string; port: number; text: string };

// dockerd's conventional ports: 2375 plain, 2376 with TLS.
const PLAIN_PORT = 2375;
const TLS_PORT = 2376;

/**
 * Parses `unix:///path`, `tcp://host[:port]` or a bare `host:port`; an empty value means the default
 * socket. `fd://` only makes sense for a daemon that inherits sockets, so the client rejects it.
 */
export function parseHost(value: string | undefined, tls = false): DaemonHost {
  const raw = (value ?? '').trim() || DEFAULT_HOST;
  const scheme = /^([a-z]+):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) return parseTcp(raw, tls, raw);
  const rest = raw.slice(scheme.length + 3);
  if (scheme === 'unix') return unixHost(rest || DEFAULT_SOCKET);
  if (scheme === 'tcp') return parseTcp(rest, tls, raw);
  throw invalidParameter(`invalid host "${raw}": use unix:///path/to/socket or tcp://host:port`);
}

function unixHost(socketPath: string): DaemonHost {
  if (!socketPath.startsWith('/')) throw invalidParameter(`invalid host "unix://${socketPath}": the socket path must be absolute`);
  return { kind: 'unix', socketPath, text: `unix://${socketPath}` };
}

function parseTcp(rest: string, tls: boolean, raw: string): DaemonHost {
  // An optional trailing slash is tolerated (docker accepts tcp://host:2375/); any other path is not.
  const address = rest.replace(/\/$/, '');
  const m = /^(\[[0-9a-f:.]+\]|[^:/[\]]+)?(?::(\d+))?$/i.exec(address);
  if (!m) throw invalidParameter(`invalid host "${raw}": use unix:///path/to/socket or tcp://host:port`);
  const hostname = (m[1] ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
  const port = m[2] === undefined ? (tls ? TLS_PORT : PLAIN_PORT) : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidParameter(`invalid host "${raw}": bad port`);
  const shown = hostname.includes(':') ? `[${hostname}]` : hostname;
  return { kind: 'tcp', hostname, port, text: `tcp://${shown}:${port}` };
}
