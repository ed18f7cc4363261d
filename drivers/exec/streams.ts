/**
 * A framed shim connection as Node streams: frames demultiplexed into stdout and stderr, the
 * exit frame of an exec delivered once, and the connection's writable side as stdin.
 */
import type net from 'node:net';
import { PassThrough, Writable } from 'node:stream';

import { FRAME, FrameDecoder } from './frames.js';

/** The streams of one framed connection. */
export interface Demuxed {
  stdout: PassThrough;
  stderr: PassThrough;
  stdin: Writable;
  /** The exit frame's JSON, or null when the connection ended without one. */
  exit: Promise<unknown>;
}

/** Splits a framed socket into streams. Backpressure: a full stdout or stderr pauses the socket. */
export function demux(socket: net.Socket): Demuxed {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const decoder = new FrameDecoder();
  let settle: (v: unknown) => void = () => {};
  const exit = new Promise<unknown>((resolve) => (settle = resolve));
  socket.on('data', (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) {
      if (f.stream === FRAME.exit) settle(parseJson(f.payload));
      const target = f.stream === FRAME.stderr ? stderr : f.stream === FRAME.stdout ? stdout : null;
      if (target && !target.write(f.payload)) {
        socket.pause();
        target.once('drain', () => socket.resume());
      }
    }
  });
  const finish = () => {
    settle(null);
    stdout.end();
    stderr.end();
  };
  socket.once('end', finish);
  socket.once('close', finish);
  socket.on('error', () => finish());
  socket.resume();
  return { stdout, stderr, stdin: stdinOf(socket), exit };
}

function parseJson(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return null;
  }
}

// Writes go to the socket; end() half-closes it, which the shim reads as end of input.
function stdinOf(socket: net.Socket): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (socket.destroyed || !socket.writable) return cb();
      socket.write(chunk, () => cb());
    },
    final(cb) {
      if (!socket.destroyed && socket.writable) socket.end();
      cb();
    },
  });
}
