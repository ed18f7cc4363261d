import type { Readable, Writable } from 'node:stream';
import { invalidParameter } from '../../protocol/errdefs.js';

/** Stream ids of Docker's multiplexed stream. */
export const STREAM = { stdin: 0, stdout: 1, stderr: 2 } as const;

/** One frame of Docker's multiplexed stream: [stream, 0, 0, 0, size (big-endian u32)] then the bytes. */
export function frame(stream: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(data.length, 4);
  return Buffer.concat([head, data]);
}

/** Parses `--detach-keys` ("ctrl-p,ctrl-q", "a,ctrl-@") into the bytes that detach; dockerd's default when empty. */
export function detachKeys(spec: string | undefined): Buffer {
  const keys = (spec || 'ctrl-p,ctrl-q').split(',').map((k) => k.trim());
  return Buffer.from(keys.map((k) => {
    const m = /^ctrl-([a-z@[\\\]^_])$/.exec(k);
    if (m) return m[1] === '@' ? 0 : m[1]!.charCodeAt(0) & 0x1f;
    if (k.length === 1) return k.charCodeAt(0);
    throw invalidParameter(`Invalid detach keys (${spec}) provided`);
  }));
}

/** Writes a container's output to a client: framed per stream without a TTY, raw with one. */
export function pumpOutput(src: { stdout: Readable; stderr: Readable }, out: Writable, opts: { tty: boolean; stdout: boolean; stderr: boolean }): Promise<void> {
  const one = (s: Readable, id: number, wanted: boolean) =>
    new Promise<void>((resolve) => {
      s.on('data', (c: Buffer) => {
        if (wanted && !out.destroyed) out.write(opts.tty ? c : frame(id, c));
      });
      s.on('end', resolve);
      s.on('close', resolve);
      s.on('error', () => resolve());
    });
  return Promise.all([one(src.stdout, STREAM.stdout, opts.stdout), one(src.stderr, STREAM.stderr, opts.stderr)]).then(() => undefined);
}

/**
 * Copies a client's input to a container's stdin until the client ends it or types the detach keys.
 * Resolves 'detached' or 'ended'.
 */
export function pumpInput(input: Readable, stdin: Writable, keys: Buffer, closeStdin: boolean): Promise<'detached' | 'ended'> {
  return new Promise((resolve) => {
    let matched = 0;
    const onData = (c: Buffer) => {
      for (let i = 0; i < c.length; i++) {
        matched = c[i] === keys[matched] ? matched + 1 : c[i] === keys[0] ? 1 : 0;
        if (matched === keys.length) {
          const before = c.subarray(0, Math.max(0, i + 1 - keys.length));
          if (before.length) stdin.write(before);
          // Detached: the client's end of input must no longer reach (and close) the container's stdin.
          input.off('data', onData);
          input.off('end', onEnd);
          return resolve('detached');
        }
      }
      stdin.write(c);
    };
    const onEnd = () => {
      if (closeStdin) stdin.end();
      resolve('ended');
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', () => resolve('ended'));
  });
}
