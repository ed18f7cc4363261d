/** Runs the real `berth` binary (cli/bin/berth.js over the compiled commands) as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Path of the bin script, found from this file's place in dist/test/helpers/. */
export const BERTH_BIN = fileURLToPath(new URL('../../../cli/bin/berth.js', import.meta.url));

/** What a finished run printed and how it exited. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `berth <args>` without BERTH_HOST from the caller's environment unless `env` sets it. */
export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  const base = { ...process.env };
  delete base.BERTH_HOST;
  return spawn(process.execPath, [BERTH_BIN, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects a child's output until it exits. */
export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs `berth <args>` to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return collect(spawnCli(args, env));
}

/** Runs `berth <args>` with `input` on its stdin (a pipe, so never a terminal). */
export function runCliWithInput(args: string[], input: string | Buffer, env: Record<string, string> = {}): Promise<CliResult> {
  const base = { ...process.env };
  delete base.BERTH_HOST;
  const child = spawn(process.execPath, [BERTH_BIN, ...args], { env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const done = collect(child);
  child.stdin?.on('error', () => undefined); // the command may exit before reading it all
  child.stdin?.end(input);
  return done;
}
