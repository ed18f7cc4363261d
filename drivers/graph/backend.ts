/**
 * The graph driver's backend interface, after Docker's graphdriver: one directory tree per layer id,
 * each built from its parent plus one applied diff. vfs and overlay implement it; the conformance
 * suite in test/conformance/graphdriver.ts runs against both.
 */
import type { Readable } from 'node:stream';

import { invalidParameter } from '../../protocol/errdefs.js';
import type { Trash } from '../trash.js';
import { ApplyPool } from './apply-pool.js';
import { type LayerApplier, inProcessApplier } from './applier.js';
import type { FileOps } from './fileops.js';

/** Docker's /containers/{id}/changes kinds: 0 modified, 1 added, 2 deleted. */
export const ChangeKind = { Modified: 0, Added: 1, Deleted: 2 } as const;

/** One of the ChangeKind values. */
export type ChangeKindValue = (typeof ChangeKind)[keyof typeof ChangeKind];

/** One filesystem change, as Docker's ContainerChangeResponseItem (`Path` is absolute, `/etc/x`). */
export interface Change {
  Path: string;
  Kind: ChangeKindValue;
}

/** What applyDiff reports: the bytes of file content the layer added, and the layer's diffID. */
export interface ApplyResult {
  size: number;
  /** sha256 of the uncompressed tar stream, every byte (even past the end-of-archive). */
  diffId: string;
}

/** A digest of a layer stream as given (the compressed blob), made and checked where it is read. */
export interface InputDigest {
  /** The hash algorithm (`sha256`). */
  algorithm: string;
  /**
   * Called with `algorithm:hex` once the whole stream was read; what it throws is the apply's error,
   * ahead of the apply's own result or failure, as when the download stream checked the digest.
   */
  check(digest: string): void;
}

/** What applyDiff does besides applying. */
export interface ApplyDiffOptions {
  /** Receives the layer's tar-split records (tar-split.ts) in order, as they are made. */
  onRecords?: (records: Buffer) => void;
  /**
   * Digest the stream as given on the way, where the bytes are read anyway (a pull verifies its
   * blobs with it, sparing the main thread one pass over them).
   */
  inputDigest?: InputDigest;
  /** Told how many bytes of the stream as given the applier has taken so far (Extracting progress). */
  onApplied?: (bytes: number) => void;
}

/** A graph driver backend. Every method names the layer by id; ids are path-safe tokens. */
export interface GraphBackend {
  /** The driver's name as `docker info` shows it ("vfs", "overlay2"-like "overlay"). */
  readonly name: string;
  /** Makes an empty layer on top of `parent` (or a base layer); Conflict if it exists. */
  create(id: string, parent: string | null): Promise<void>;
  /** Deletes the layer's directory; Conflict while it is mounted. */
  remove(id: string): Promise<void>;
  /** Prepares (mounts) the layer's full rootfs and returns its path; reference-counted. */
  get(id: string): Promise<string>;
  /** Releases one `get`; the last release unmounts. */
  put(id: string): Promise<void>;
  /** Whether the layer exists. */
  exists(id: string): Promise<boolean>;
  /** Applies a (possibly compressed) layer tarball to the layer, which must have `parent` as parent. */
  applyDiff(id: string, parent: string | null, tar: Readable, options?: ApplyDiffOptions): Promise<ApplyResult>;
  /** A tar stream of what the layer changed relative to `parent`, deletions as whiteouts. */
  diff(id: string, parent: string | null): Promise<Readable>;
  /** The changes of the layer relative to `parent`, sorted by path. */
  changes(id: string, parent: string | null): Promise<Change[]>;
  /** Key/value lines for `docker info`'s DriverStatus. */
  status(): [string, string][];
  /** Releases every mount the backend holds and stops its apply workers (daemon shutdown). */
  cleanup(): Promise<void>;
}

/** Options every backend takes. */
export interface BackendOptions {
  /** The file operations to use (default: node:fs plus the native addon where it has the call). */
  fileOps?: FileOps;
  /**
   * Where layers are applied (default: worker threads with the default FileOps, or this thread when
   * `fileOps` is given, since a FileOps cannot cross threads).
   */
  applier?: LayerApplier;
  /** Where removed layers go to be deleted in the background (default: deleted in place). */
  trash?: Trash;
}

/** The applier `options` ask for. */
export function applierFor(options: BackendOptions, ops: FileOps): LayerApplier {
  return options.applier ?? (options.fileOps ? inProcessApplier(ops) : new ApplyPool());
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Refuses ids that could not be a single directory name (they become path components). */
export function checkLayerId(id: string, op: string): void {
  if (!ID.test(id) || id.includes('..')) {
    throw invalidParameter(`${op}: invalid layer id ${JSON.stringify(id)}`);
  }
}
