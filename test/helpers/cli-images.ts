/**
 * For the CLI image system test: running berth and the real docker CLI side by side against one
 * daemon, capturing binary output (save), and telling a route that is not there yet from an error.
 */
import { spawn } from 'node:child_process';
import { BERTH_BIN } from './cli-run.js';
import { request } from './daemon.js';

/** How a run ended, stdout kept as bytes. */
export interface BinaryResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a program to completion with `input` (if any) on its stdin. */
export function runBinary(file: string, args: string[], env: Record<string, string>, input?: Buffer | string): Promise<BinaryResult> {
  const base = { ...process.env };
  delete base.BERTH_HOST;
  delete base.DOCKER_HOST;
  const child = spawn(file, args, { env: { ...base, ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}

/** The same, as text. */
export interface TextResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A runner for one CLI: `berth` (node + the bin script) or docker, bound to a daemon and a config dir. */
export type CliRunner = (args: string[], input?: Buffer | string) => Promise<TextResult>;

/** berth against the daemon at `socket`, keeping its credentials in `configDir`. */
export function berthRunner(socket: string, configDir: string): CliRunner {
  return async (args, input) => text(await runBinary(process.execPath, [BERTH_BIN, ...args], { BERTH_HOST: `unix://${socket}`, BERTH_CONFIG: configDir }, input));
}

/** The docker CLI at `path` against the same daemon, with its own config dir. */
export function dockerRunner(path: string, socket: string, configDir: string): CliRunner {
  return async (args, input) => text(await runBinary(path, args, { DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: configDir }, input));
}

function text(result: BinaryResult): TextResult {
  return { code: result.code, stdout: result.stdout.toString('utf8'), stderr: result.stderr };
}

/**
 * Why a test of a route must skip, or false when the daemon has the route: an unknown route is a
 * 404 with the router's "page not found" (a 404 of the handler names the missing object instead).
 */
export async function routeProbe(socket: string, method: string, path: string): Promise<false | string> {
  const res = await request(socket, method, `/v1.47${path}`, { body: method === 'GET' ? undefined : '{}', headers: { 'Content-Type': 'application/json' } });
  const missing = res.status === 404 && /page not found/.test(res.body);
  return missing ? `the daemon has no ${method} ${path.split('?')[0]} route yet` : false;
}
