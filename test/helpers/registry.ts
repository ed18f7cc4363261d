/**
 * A real registry for tests: Debian's `docker-registry` (distribution 2.8) started on 127.0.0.1 on a
 * free port, with its own config and storage in a tmpdir; optionally behind htpasswd (Basic) or
 * token (Bearer) auth. stop() kills exactly the process it started and removes the tmpdir.
 *
 *     const reg = await startRegistry();
 *     t.teardown(() => reg.stop());
 *     await pushImage(reg, 'busybox', 'latest', await busyboxImage());
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { rawRequest } from './registry-push.js';
import { startTokenServer, type Access, type TokenServer, type TokenServerOptions } from './registry-token.js';

/** The registry binary of Debian's docker-registry package. */
export const REGISTRY_BIN = '/usr/bin/docker-registry';

/** Whether the registry tests can run: false, or why they skip (for tap's `skip`). */
export function registryProbe(): false | string {
  return existsSync(REGISTRY_BIN) ? false : `needs ${REGISTRY_BIN} (apt-get install docker-registry)`;
}

/** How to start the registry. */
export interface RegistryOptions {
  /** Basic auth (htpasswd, bcrypt) with these users: user → password. */
  htpasswd?: Record<string, string>;
  /** Bearer auth through an in-process token server. */
  token?: TokenServerOptions;
}

/** A running registry. */
export interface RegistryServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, the registry part of references. */
  host: string;
  /** The tmpdir with config, storage and auth files. */
  dir: string;
  pid: number;
  /** Present with token auth. */
  tokenServer?: TokenServer;
  /** An Authorization value with pull and push rights on `repo`, for fixtures (undefined when open). */
  authorization(repo: string): string | undefined;
  /** Kills the registry (and token server), removes the tmpdir. Idempotent. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/**
 * bcrypt for htpasswd, by the C library: Debian's libxcrypt does `$2b$`, reached through perl's
 * crypt() (always installed), so no npm dependency and no apache2-utils are needed.
 */
export function bcrypt(password: string): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const salt = [...randomBytes(22)].map((b) => alphabet[b % 64]).join('');
  const out = execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$05$${salt}`], { encoding: 'utf8' });
  if (!out.startsWith('$2b$')) throw new Error(`crypt() did not produce a bcrypt hash: ${out}`);
  return out;
}

function configYaml(dir: string, port: number, auth: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    auth,
  ].join('\n');
}

async function authSection(dir: string, opts: RegistryOptions): Promise<{ yaml: string; tokenServer?: TokenServer; authorization?: (a: Access[]) => string }> {
  if (opts.htpasswd) {
    const file = path.join(dir, 'htpasswd');
    writeFileSync(file, Object.entries(opts.htpasswd).map(([u, p]) => `${u}:${bcrypt(p)}\n`).join(''));
    const [user, pass] = Object.entries(opts.htpasswd)[0] ?? ['', ''];
    const basic = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    return { yaml: `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${file}\n`, authorization: () => basic };
  }
  if (opts.token) {
    const ts = await startTokenServer(dir, opts.token);
    const yaml = `auth:\n  token:\n    realm: ${ts.realm}\n    service: ${ts.service}\n    issuer: ${ts.issuer}\n    rootcertbundle: ${ts.certPath}\n`;
    return { yaml, tokenServer: ts, authorization: (a) => `Bearer ${ts.mint(a, 'fixture')}` };
  }
  return { yaml: '' };
}

/** Starts a registry; rejects (having cleaned up) if it does not answer /v2/ within 15 s. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<RegistryServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-registry-'));
  let child: ChildProcess | undefined;
  let tokenServer: TokenServer | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child) await killChild(child);
    await tokenServer?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The token server takes its port first: picking the registry's port before it could hand the
    // token server that same port, and the readiness probe would then be answered by the wrong server.
    const auth = await authSection(dir, opts);
    tokenServer = auth.tokenServer;
    const port = await freePort();
    const configPath = path.join(dir, 'config.yml');
    writeFileSync(configPath, configYaml(dir, port, auth.yaml));
    // REGISTRY_* variables override the config file; none may leak in from the environment.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
    child = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'], env });
    const url = `http://127.0.0.1:${port}`;
    await waitReady(child, url);
    return {
      url,
      host: `127.0.0.1:${port}`,
      dir,
      pid: child.pid!,
      tokenServer,
      authorization: (repo) => auth.authorization?.([{ type: 'repository', name: repo, actions: ['pull', 'push'] }]),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitReady(child: ChildProcess, url: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 8192) stderr += c.toString();
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}): ${stderr}`);
    const res = await rawRequest('GET', `${url}/v2/`).catch(() => undefined);
    // Only the registry sends this header: anything else on the port is not ready, it is a clash.
    if (res && (res.status === 200 || res.status === 401) && res.headers['docker-distribution-api-version']) return;
    await sleep(50);
  }
  throw new Error(`docker-registry did not answer ${url}/v2/ within 15 s: ${stderr}`);
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
