/**
 * The exec driver's backend interface: how containers are created, started, signalled, waited
 * for and cleaned up. `native` runs them through berth-helper shims; `fake` runs a plain child
 * process. test/conformance/execdriver.ts runs against both.
 */
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';

import { invalidParameter } from '../../protocol/errdefs.js';
import type { OciProcess, OciSpec } from './spec.js';

/** Where a container's files live. */
export interface ExecPaths {
  /** The bundle dir: config.json is written here. */
  bundle: string;
  /** The runtime state dir: shim.sock, exit.json, shim.json. */
  state: string;
  /** The json-file log. */
  log: string;
}

/** How a container ended (STATE/exit.json). */
export interface ExitStatus {
  /** The exit code, 128 + n when signal n killed it. */
  exitCode: number;
  signal: number | null;
  oomKilled: boolean;
  /** RFC 3339. */
  finishedAt: string;
}

/** created: waiting for start; running; exited (exit is set). */
export type ContainerStatus = 'created' | 'running' | 'exited';

/** What the backend knows of a container. */
export interface ContainerState {
  id: string;
  /** The container's first process, as the host sees it (0 once unknown). */
  pid: number;
  status: ContainerStatus;
  exit: ExitStatus | null;
}

/** A process's streams: output to read, input to write (null when closed), whether it is a tty. */
export interface ProcessStreams {
  stdout: Readable;
  stderr: Readable;
  stdin: Writable | null;
  tty: boolean;
}

/** An exec'd process: its streams, and its exit (exit code, 128 + n for a signal). */
export interface ExecProcess extends ProcessStreams {
  pid: number;
  exit: Promise<{ exitCode: number; signal: number | null }>;
}

/** Container usage for `stats`; null where the backend cannot tell. */
export interface ContainerStats {
  cpuUsageNs: number | null;
  memoryUsage: number | null;
  memoryLimit: number | null;
  pids: number | null;
}

/** Options of attach. */
export interface AttachOptions {
  /** Closing the returned stdin closes the container's stdin (Docker's StdinOnce). */
  stdinOnce?: boolean;
}

/** A container runtime. Every method names the container by id; ids are path-safe tokens. */
export interface ExecBackend {
  /** "native" or "fake". */
  readonly name: string;
  /** Writes the bundle's config.json and creates the container (created, not started). */
  create(id: string, spec: OciSpec, paths: ExecPaths): Promise<ContainerState>;
  /** Starts the created container's process. */
  start(id: string): Promise<void>;
  /** The container's current state. */
  state(id: string): Promise<ContainerState>;
  /** Sends a signal (number or name, e.g. 15 or "SIGTERM") to the container's first process. */
  kill(id: string, signal: number | string): Promise<void>;
  /** Freezes every process of the container. */
  pause(id: string): Promise<void>;
  /** Thaws the container. */
  resume(id: string): Promise<void>;
  /** Resource usage. */
  stats(id: string): Promise<ContainerStats>;
  /** Resolves when the container has exited. */
  wait(id: string): Promise<ExitStatus>;
  /** Runs another process inside the running container. */
  exec(id: string, process: OciProcess): Promise<ExecProcess>;
  /** The container's live output (from now on) and its stdin, if open. */
  attach(id: string, options?: AttachOptions): Promise<ProcessStreams>;
  /** Resizes the container's terminal. */
  resize(id: string, rows: number, cols: number): Promise<void>;
  /** Resizes the terminal of an exec'd process (by the pid `exec` returned). */
  resizeExec(id: string, pid: number, rows: number, cols: number): Promise<void>;
  /** Forgets an exited container and removes its state dir (Conflict while it runs). */
  clean(id: string): Promise<void>;
  /** Finds a container again after a daemon restart (its shim still running, or its exit.json). */
  reattach(id: string, paths: ExecPaths): Promise<ContainerState>;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Refuses ids that could not be a single path component. */
export function checkContainerId(id: string, op: string): void {
  if (!ID.test(id) || id.includes('..')) throw invalidParameter(`${op}: invalid container id ${JSON.stringify(id)}`);
}

/** A signal as a number: 15, "15", "TERM" or "SIGTERM". */
export function signalNumber(signal: number | string): number {
  if (typeof signal === 'number') return signal;
  if (/^\d+$/.test(signal)) return Number(signal);
  const name = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  const n = (SIGNALS as Record<string, number>)[name];
  if (n === undefined) throw invalidParameter(`kill: invalid signal ${JSON.stringify(signal)}`);
  return n;
}

const SIGNALS = constants.signals;
