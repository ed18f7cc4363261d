/**
 * Talking to a shim's control socket (STATE/shim.sock): one JSON request line per connection,
 * one JSON answer line; `attach` and `exec` connections then carry frames (see frames.ts).
 */
import { closeSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { type BerthError, type ErrorKind, unavailable } from '../../protocol/errdefs.js';
import { helperError } from './helper-failure.js';

/** A shim's answer (`ok: true` plus the op's fields). */
export type ShimAnswer = Record<string, unknown> & { ok: boolean };

/** sun_path holds 108 bytes; longer socket paths are reached through /proc/self/fd/N of their dir. */
const MAX_SOCKET_PATH = 100;

/** Connects to a socket, even one whose path is too long for sun_path. */
export function connectSocket(sock: string): Promise<net.Socket> {
  let dirFd: number | undefined;
  let target = sock;
  if (sock.length > MAX_SOCKET_PATH) {
    dirFd = openSync(path.dirname(sock), 'r');
    target = `/proc/self/fd/${dirFd}/${path.basename(sock)}`;
  }
  return new Promise((resolve, reject) => {
    const s = net.connect(target);
    const done = () => {
      if (dirFd !== undefined) closeSync(dirFd);
      dirFd = undefined;
    };
    s.once('connect', () => {
      done();
      resolve(s);
    });
    s.once('error', (err) => {
      done();
      reject(err);
    });
  });
}

/** Reads one line from a socket; the bytes after it are unshifted back for the stream reader. */
export function readLine(s: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(10);
      if (nl < 0) return;
      cleanup();
      s.pause();
      const rest = buf.subarray(nl + 1);
      if (rest.length) s.unshift(rest);
      resolve(buf.subarray(0, nl).toString('utf8'));
    };
    const onEnd = () => {
      cleanup();
      reject(new Error('the shim closed the connection without an answer'));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      s.off('data', onData);
      s.off('end', onEnd);
      s.off('error', onError);
    };
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('error', onError);
  });
}

/** The error an answer carries, as a BerthError of its kind, with the helper's errno and step. */
export function answerError(a: ShimAnswer, op: string): BerthError {
  const kind = (typeof a.kind === 'string' ? a.kind : 'System') as ErrorKind;
  return helperError(kind, typeof a.error === 'string' ? a.error : `shim ${op}: failed`, a);
}

/** Sends a request; resolves with the open socket and the (successful) answer. */
export async function open(sock: string, request: Record<string, unknown>): Promise<{ socket: net.Socket; answer: ShimAnswer }> {
  let socket: net.Socket;
  try {
    socket = await connectSocket(sock);
  } catch (err) {
    throw unavailable(`connect to shim ${sock}: ${(err as Error).message}`, err);
  }
  socket.write(`${JSON.stringify(request)}\n`);
  let answer: ShimAnswer;
  try {
    answer = JSON.parse(await readLine(socket)) as ShimAnswer;
  } catch (err) {
    socket.destroy();
    throw unavailable(`shim ${sock} ${String(request.op)}: ${(err as Error).message}`, err);
  }
  if (!answer.ok) {
    socket.destroy();
    throw answerError(answer, String(request.op));
  }
  return { socket, answer };
}

/** One request, one answer, connection closed. */
export async function request(sock: string, req: Record<string, unknown>): Promise<ShimAnswer> {
  const { socket, answer } = await open(sock, req);
  socket.destroy();
  return answer;
}
