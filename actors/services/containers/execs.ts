import { randomBytes } from 'node:crypto';
import { conflict, notFound } from '../../../protocol/errdefs.js';
import type { ExecConfig, ExecInspectResponse } from '../../../protocol/types/container-ops.js';

/** One exec instance, as dockerd keeps it: made by exec create, run once by exec start. */
export interface ExecInstance {
  id: string;
  containerId: string;
  entrypoint: string;
  args: string[];
  /** The variables the client asked for (merged over the container's at start). */
  env: string[];
  /** Empty: the container's user. */
  user: string;
  workingDir: string;
  tty: boolean;
  privileged: boolean;
  openStdin: boolean;
  openStdout: boolean;
  openStderr: boolean;
  /** The bytes that detach (empty: the default), as the client gave them. */
  detachKeys: Buffer;
  consoleSize: [number, number] | null;
  running: boolean;
  /** null until the process has exited (or failed to start). */
  exitCode: number | null;
  pid: number;
  /** Resolves once start has run the process or failed to (resize waits for it, as dockerd does). */
  started: Promise<void>;
  markStarted: () => void;
}

/**
 * The exec instances, in memory as dockerd keeps them: an instance outlives its process (so its exit
 * code can be read) and goes with its container. Every method is synchronous, so a caller holding the
 * store never sees a half-made change.
 */
export class ExecStore {
  private readonly execs = new Map<string, ExecInstance>();

  /** Records a new instance for a running container (the caller checked it runs and parsed the detach keys). */
  add(containerId: string, c: ExecConfig & { Cmd: string[] }, detachKeys: Buffer): ExecInstance {
    let markStarted = () => {};
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const e: ExecInstance = {
      id: randomBytes(32).toString('hex'), containerId, entrypoint: c.Cmd[0]!, args: c.Cmd.slice(1), env: c.Env ?? [],
      user: c.User ?? '', workingDir: c.WorkingDir ?? '', tty: !!c.Tty, privileged: !!c.Privileged,
      openStdin: !!c.AttachStdin, openStdout: !!c.AttachStdout, openStderr: !!c.AttachStderr, detachKeys,
      consoleSize: c.ConsoleSize ?? null, running: false, exitCode: null, pid: 0, started, markStarted,
    };
    this.execs.set(e.id, e);
    return e;
  }

  /** An instance by ID (dockerd's 404 wording). */
  get(id: string): ExecInstance {
    const e = this.execs.get(id);
    if (!e) throw notFound(`No such exec instance: ${id}`);
    return e;
  }

  /** Takes an instance for start: it runs once only (dockerd's 409s otherwise). */
  claim(id: string): ExecInstance {
    const e = this.get(id);
    if (e.exitCode !== null) throw conflict(`Error: Exec command ${id} has already run`);
    if (e.running) throw conflict(`Error: Exec command ${id} is already running`);
    e.running = true;
    return e;
  }

  /** Records the process as running. */
  started(id: string, pid: number): void {
    const e = this.get(id);
    e.pid = pid;
    e.markStarted();
  }

  /** Records how the process ended (or that it never ran: 126, 127). */
  exited(id: string, exitCode: number): void {
    const e = this.execs.get(id);
    if (!e) return;
    e.running = false;
    e.exitCode = exitCode;
    e.markStarted();
  }

  /** The IDs of a container's instances that have not exited (inspect's ExecIDs). */
  ofContainer(containerId: string): string[] {
    return [...this.execs.values()].filter((e) => e.containerId === containerId && e.exitCode === null).map((e) => e.id);
  }

  /** Forgets a removed container's instances. */
  dropContainer(containerId: string): void {
    for (const e of this.execs.values()) if (e.containerId === containerId) this.execs.delete(e.id);
  }

  /** GET /exec/{id}/json. */
  inspect(id: string): ExecInspectResponse {
    const e = this.get(id);
    return {
      CanRemove: false, ContainerID: e.containerId, DetachKeys: e.detachKeys.toString('base64'), ExitCode: e.exitCode, ID: e.id,
      OpenStderr: e.openStderr, OpenStdin: e.openStdin, OpenStdout: e.openStdout, Running: e.running, Pid: e.pid,
      ProcessConfig: { tty: e.tty, entrypoint: e.entrypoint, arguments: e.args, privileged: e.privileged, user: e.user },
    };
  }
}
