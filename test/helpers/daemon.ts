import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig, type EngineConfig } from '../../actors/config.js';
import { startEngine, type Engine, type EngineOptions } from '../../actors/engine.js';
import { memoryLogger } from '../../actors/kernel/log.js';
import { testNetwork } from './test-network.js';

/** A response as tests read it. */
export interface TestResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json<T = unknown>(): T;
}

/** Sends one HTTP request to a unix socket and reads the whole answer. */
export function request(socketPath: string, method: string, urlPath: string, opts: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A daemon in a temporary directory, with its own socket, data root and exec root. */
export interface TestDaemon {
  engine: Engine;
  dir: string;
  socket: string;
  config: EngineConfig;
  log: ReturnType<typeof memoryLogger>;
  request(method: string, urlPath: string, opts?: { body?: string | Buffer; headers?: Record<string, string> }): Promise<TestResponse>;
  /** Shuts down (if still running) and removes the directory. */
  close(): Promise<void>;
}

/** A fresh temporary directory for a test daemon (`berth-test-*`, so leak checks find leftovers). */
export function testDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'berth-test-'));
}

/**
 * Starts an engine in-process on a temporary directory, with a default bridge and subnet of its own
 * (testNetwork), so that daemons of tests running side by side never share a bridge or nft table.
 */
export async function startTestDaemon(overrides: Partial<EngineConfig> = {}, opts: EngineOptions = {}, dir = testDir()): Promise<TestDaemon> {
  const socket = path.join(dir, 'berth.sock');
  const config: EngineConfig = { ...defaultConfig(), hosts: [`unix://${socket}`], dataRoot: path.join(dir, 'data'), execRoot: path.join(dir, 'exec'), ...testNetwork(dir), ...overrides };
  const log = memoryLogger();
  const engine = await startEngine(config, { log, drainMs: 2000, ...opts });
  return {
    engine, dir, socket, config, log,
    request: (m, p, o) => request(socket, m, p, o),
    async close() {
      await engine.shutdown('test done');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
