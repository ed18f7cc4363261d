/**
 * The messages between the graph driver and its apply workers (apply-pool.ts, apply-worker.ts). One
 * MessageChannel per layer: the driver sends the compressed bytes in transferred 1 MiB buffers and
 * the worker acks each once its decompressor consumed it, handing gzip's buffers back for reuse.
 */
import type { MessagePort } from 'node:worker_threads';

import { BerthError, type ErrorData, errorData, fromErrorData } from '../../protocol/errdefs.js';
import type { WhiteoutMode } from './apply-ctx.js';
import type { ApplyResult } from './backend.js';

/** Starts one layer on a worker; the port carries the rest. */
export interface StartMessage {
  port: MessagePort;
  root: string;
  whiteouts: WhiteoutMode;
  /** Whether to send tar-split records back. */
  split: boolean;
  /** The algorithm of the input digest to report (a `{ input }` reply once the input ended), if any. */
  inputDigest?: string;
}

/** An error as it crosses the thread boundary: a BerthError keeps kind and message, others message and code. */
export interface WireError {
  data: ErrorData;
  berth: boolean;
  code?: string;
}

/** Driver → worker, on the layer's port. */
export type FeedMessage = { chunk: ArrayBuffer; length: number } | { end: true } | { abort: WireError };

/** Worker → driver, on the layer's port. `ack` returns the buffer when the driver may reuse it. */
export type ReplyMessage = { ack: ArrayBuffer | null } | { records: Uint8Array } | { input: string } | { done: ApplyResult } | { error: WireError };

/** Any thrown value, ready to post. */
export function toWire(err: unknown): WireError {
  const code = (err as { code?: unknown } | null)?.code;
  return { data: errorData(err), berth: err instanceof BerthError, ...(typeof code === 'string' && { code }) };
}

/** The error a WireError describes: the same BerthError kind and message, or an Error with the same message and code. */
export function fromWire(w: WireError): Error {
  if (w.berth) return fromErrorData(w.data);
  return Object.assign(new Error(w.data.message), w.code === undefined ? {} : { code: w.code });
}
