/**
 * The shim's stream framing, Docker's stdcopy shape: an 8-byte header (stream id, three zero
 * bytes, big-endian u32 length) then the payload. Stream 1 is stdout, 2 stderr, 3 the exit record
 * of an exec (JSON, the last frame).
 */

/** Stream ids. */
export const FRAME = { stdout: 1, stderr: 2, exit: 3 } as const;

/** One decoded frame. */
export interface Frame {
  stream: number;
  payload: Buffer;
}

/** Decodes frames from chunks that may split or join them anywhere. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds a chunk; returns the frames it completed. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) break;
      out.push({ stream: this.buf[0]!, payload: this.buf.subarray(8, 8 + len) });
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }

  /** Bytes of an incomplete frame still held. */
  get pending(): number {
    return this.buf.length;
  }
}

/** Encodes one frame. */
export function encodeFrame(stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}
