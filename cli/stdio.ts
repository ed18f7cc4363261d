/**
 * The bytes of a container's stdio as the API carries them: the multiplexed stream of attach, exec and
 * logs without a TTY (8-byte frame headers), the raw stream with one, and the detach keys typed on
 * the way in. Pure byte handling; the connections are in hijack.ts.
 */
import type { Readable, Writable } from 'node:stream';

/** Stream ids of a frame header: docker's stdcopy (0 stdin, 1 stdout, 2 stderr, 3 a daemon error). */
export const STREAM = { stdin: 0, stdout: 1, stderr: 2, systemErr: 3 } as const;

const HEADER = 8;

/**
 * Splits a multiplexed stream into frames, whatever the chunking: a header may arrive across two
 * chunks and a chunk may hold many frames. Throws on a header whose stream id docker would not know.
 */
export class Demuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: number, payload: Buffer) => void) {}

  /** Feeds bytes; calls onFrame for every frame they complete. */
  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= HEADER) {
      const stream = this.pending[0]!;
      if (stream > STREAM.systemErr) throw new Error(`Unrecognized input header: ${stream}`);
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER + size) return;
      const payload = this.pending.subarray(HEADER, HEADER + size);
      this.pending = this.pending.subarray(HEADER + size);
      this.onFrame(stream, payload);
    }
  }

  /** Bytes of an unfinished frame: non-zero when the stream ended in the middle of one. */
  get buffered(): number {
    return this.pending.length;
  }
}

/** Where output goes; null drops a stream (e.g. stderr when only `-a stdout` was asked for). */
export interface OutputTargets {
  stdout: Writable | null;
  stderr: Writable | null;
}

/** Writes, waiting for 'drain' when the target says so, so a slow reader slows the daemon down. */
async function write(target: Writable | null, data: Buffer): Promise<void> {
  if (!target || data.length === 0 || target.write(data)) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      target.off('drain', done);
      target.off('close', done);
      resolve();
    };
    target.once('drain', done).once('close', done);
  });
}

/**
 * Copies a container's output to the targets until the stream ends: raw with a TTY, else frame by
 * frame (stdin and stdout frames to stdout, as docker's StdCopy). A stream-3 frame is an error the
 * daemon sends in-band: it rejects with its text.
 */
export async function copyOutput(src: AsyncIterable<Buffer>, tty: boolean, targets: OutputTargets): Promise<void> {
  const frames: [number, Buffer][] = [];
  const demux = new Demuxer((stream, payload) => frames.push([stream, payload]));
  for await (const chunk of src) {
    if (tty) {
      await write(targets.stdout, chunk);
      continue;
    }
    demux.push(chunk);
    for (const [stream, payload] of frames.splice(0)) {
      if (stream === STREAM.systemErr) throw new Error(payload.toString('utf8'));
      await write(stream === STREAM.stderr ? targets.stderr : targets.stdout, payload);
    }
  }
}

/** docker's default detach keys, ctrl-p ctrl-q. */
export const DEFAULT_DETACH_KEYS = Buffer.from([0x10, 0x11]);

/**
 * docker's term.ToBytes: `ctrl-p,ctrl-q`, `a,ctrl-@`… into the bytes typed; undefined when the spec
 * is not valid (docker then warns and keeps the default).
 */
export function parseDetachKeys(spec: string): Buffer | undefined {
  const bytes: number[] = [];
  for (const key of spec.split(',').map((k) => k.trim())) {
    const ctrl = /^ctrl-([a-z@[\\\]^_])$/i.exec(key);
    if (ctrl) bytes.push(ctrl[1] === '@' ? 0 : ctrl[1]!.toLowerCase().charCodeAt(0) & 0x1f);
    else if (key.length === 1) bytes.push(key.charCodeAt(0));
    else return undefined;
  }
  return bytes.length > 0 ? Buffer.from(bytes) : undefined;
}

/**
 * Watches typed input for the detach keys across chunks. The bytes still go to the daemon, which
 * detaches on them itself (closing its side); this only tells the CLI that the end it will see is a
 * detach, not the container's exit.
 */
export class DetachWatcher {
  private matched = 0;

  constructor(private readonly keys: Buffer) {}

  /** True once the whole sequence has been typed, in this chunk or across several. */
  feed(chunk: Buffer): boolean {
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) this.matched += 1;
      else this.matched = byte === this.keys[0] ? 1 : 0;
      if (this.matched === this.keys.length) return true;
    }
    return false;
  }
}

/** How forwarding stdin ended. */
export type InputEnd = 'ended' | 'detached';

/**
 * Forwards `input` to the daemon; at its end, half-closes the connection (the container sees EOF on
 * its stdin while its output keeps coming). With `watcher`, stops after the detach keys.
 */
export async function forwardInput(input: Readable, conn: Writable, watcher?: DetachWatcher): Promise<InputEnd> {
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (conn.destroyed || conn.writableEnded) return 'ended';
    await write(conn, bytes);
    if (watcher?.feed(bytes)) return 'detached';
  }
  if (!conn.destroyed && !conn.writableEnded) conn.end();
  return 'ended';
}
