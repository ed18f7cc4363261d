import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Level } from 'level';
import { createActor, type AnyActorRef } from 'xstate';
import { conflict, system } from '../protocol/errdefs.js';
import { loadNative, type KernelProbe } from '../drivers/native/addon.js';
import type { EngineConfig } from './config.js';
import type { EngineContext } from './context.js';
import { Bus } from './kernel/bus.js';
import { systemClock, type Clock } from './kernel/clock.js';
import { createLogger, type Logger } from './kernel/log.js';
import { JobRunner, jobsHost } from './kernel/runner.js';
import { ask } from './kernel/ask.js';
import { call } from './kernel/service.js';
import { Attachments } from './services/containers/attachments.js';
import { supervisor, type ChildSpec } from './kernel/supervisor.js';
import { EventLog, eventsService } from './services/events.js';
import type { Graph } from './services/graph/graph.js';
import { openGraph, pickDriver } from './services/graph/open.js';
import { graphDriverService, graphService } from './services/graph/service.js';
import type { ExecBackend } from '../drivers/exec/backend.js';
import { EXEC_DRIVER_ID, execDriver } from '../drivers/exec/driver.js';
import { NativeBackend } from '../drivers/exec/native.js';
import { Monitor, monitorService } from './container/monitor.js';
import { Containers, containersService } from './services/containers/containers.js';
import { ContainerStore } from './services/containers/store.js';
import { VolumeStore } from './services/volumes/store.js';
import { Volumes, volumesService } from './services/volumes/volumes.js';
import type { NetworkDriver } from '../drivers/network/driver.js';
import { openNetwork } from './services/network/open.js';
import { networkService } from './services/network/service.js';
import { EmbeddedDns } from './services/network/dns.js';
import { dnsService } from './services/network/dns-service.js';
import { RegistryClient } from './services/registry/client.js';
import { registryService } from './services/registry/service.js';
import { ActorStream } from './system/actorstream.js';
import { listenAll, type Listener } from './system/api/listen.js';
import { apiServer, RequestTracker } from './system/api/server.js';
import { serveApi } from './system/serveapi.js';
import { ACTOR_STREAM_PATH } from '../protocol/api.js';
import { buildRouter, registerJobs } from './registry.js';
import { tuneHeapForStreaming } from './kernel/heap.js';
import { Trash } from '../drivers/trash.js';

/** A running Engine: the root supervisor of the daemon. */
export interface Engine {
  /** The addresses the API listens on, e.g. `unix:///run/berth/berth.sock`. */
  readonly listening: string[];
  /** Resolves when the engine has stopped (after shutdown or a fatal escalation). */
  readonly stopped: Promise<void>;
  /** Set when the engine stopped because its supervisor gave up. */
  readonly failure: Error | undefined;
  /** The live actor stream (for tests and the debug console). */
  readonly actors: ActorStream;
  /** Drains in-flight requests, then stops actors in reverse start order. */
  shutdown(reason?: string): Promise<void>;
}

/** Seams a test may replace. */
export interface EngineOptions {
  log?: Logger;
  clock?: Clock;
  probe?: () => KernelProbe;
  /** How long a drain waits for in-flight requests (ms). */
  drainMs?: number;
  /** The container runtime (default: native, berth-helper shims); tests without root pass the fake one. */
  execBackend?: ExecBackend;
}

/** Opens the metadata database, which also takes the data root's exclusive lock (LevelDB's LOCK). */
async function openDatabase(dataRoot: string): Promise<Level<string, unknown>> {
  const db = new Level<string, unknown>(path.join(dataRoot, 'db'), { valueEncoding: 'json' });
  try {
    await db.open();
    return db;
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (code === 'LEVEL_LOCKED') throw conflict(`data root ${dataRoot} is in use by another berth daemon`);
    throw system(`open database in ${dataRoot}: ${(err as Error).message}`, err);
  }
}

async function engineId(db: Level<string, unknown>): Promise<string> {
  const id = (await db.get('engine/id')) as string | undefined;
  if (id) return id;
  const fresh = randomUUID();
  await db.put('engine/id', fresh, { sync: true });
  return fresh;
}

function cachedProbe(): () => KernelProbe {
  let p: KernelProbe | undefined;
  return () => (p ??= loadNative().kernelProbe());
}

/** Starts the Engine; rejects with a BerthError (Conflict when the data root is locked). */
export async function startEngine(config: EngineConfig, opts: EngineOptions = {}): Promise<Engine> {
  const log = opts.log ?? createLogger(config.debug ? 'debug' : 'info');
  const clock = opts.clock ?? systemClock;
  tuneHeapForStreaming();
  mkdirSync(config.dataRoot, { recursive: true, mode: 0o711 });
  mkdirSync(config.execRoot, { recursive: true, mode: 0o700 });
  const db = await openDatabase(config.dataRoot);
  let listeners: Listener[] = [];
  try {
    const id = await engineId(db);
    const probe = opts.probe ?? cachedProbe();
    // The graph asks the containers service which containers use an image; that service starts later.
    const late: { ctx?: EngineContext } = {};
    const graph = await openGraph(config.dataRoot, db, pickDriver(config.storageDriver, probe()), (id) => late.ctx!.call('containers', 'usingImage', [id]));
    const execBackend = opts.execBackend ?? new NativeBackend();
    const network = await openNetwork(config, db, execBackend.name === 'native', log);
    // Bound last, right before serveapi attaches: a connection accepted earlier would wait unanswered.
    listeners = await listenAll(config);
    const engine = running(config, { db, listeners, id, log, clock, probe, graph, execBackend, network, late, drainMs: opts.drainMs ?? 10_000 });
    // Live restore: containers that kept running under their shims are followed again before clients come.
    await late.ctx!.job('container.restore', undefined).catch((err: Error) => log.error(`restore: ${err.message}`));
    return engine;
  } catch (err) {
    await db.close();
    throw err;
  }
}

interface Parts {
  db: Level<string, unknown>;
  listeners: Listener[];
  id: string;
  log: Logger;
  clock: Clock;
  probe: () => KernelProbe;
  graph: Graph;
  execBackend: ExecBackend;
  network: NetworkDriver;
  late: { ctx?: EngineContext };
  drainMs: number;
}

function running(config: EngineConfig, p: Parts): Engine {
  const { log, clock } = p;
  const bus = new Bus(log);
  const events = new EventLog();
  const stream = new ActorStream({ now: () => clock.now() });
  const handlers = registerJobs();
  let root: AnyActorRef | undefined;
  const ctx: EngineContext = {
    config, engineId: p.id, name: os.hostname(), startedAt: new Date(clock.now()), bus, events, clock, log, probe: p.probe,
    job: (name, args, streams) => runner.run(name, args, streams),
    call: (service, method, args) => call(root!.system, service, method, args),
    ask: (systemId, event, timeoutMs) => ask(root!.system, systemId, event, { timeoutMs: timeoutMs ?? 60_000, clock }),
    attachments: new Attachments(),
    runtime: p.execBackend.name === 'native' ? 'native' : 'fake',
    eventListeners: () => runner.count('system.events'),
  };
  p.late.ctx = ctx;
  const runner = new JobRunner(handlers, { host: () => root!.system.get('jobs') as AnyActorRef, ctx, log, clock, onFinish: (r) => stream.jobFinished(r) });
  const tracker = new RequestTracker();
  const registry = new RegistryClient({ insecureRegistries: config.insecureRegistries, mirrors: config.registryMirrors });
  const api = apiServer(buildRouter(), ctx, tracker, { [ACTOR_STREAM_PATH]: (req, s, h) => stream.handleUpgrade(req, s, h) });
  const children: ChildSpec[] = [
    { id: 'events', logic: eventsService, input: { bus, log: events }, restart: 'permanent' },
    { id: 'graphdriver', logic: graphDriverService, input: { target: p.graph.driver }, restart: 'permanent' },
    { id: 'graph', logic: graphService, input: { target: p.graph }, restart: 'permanent' },
    { id: 'registry', logic: registryService, input: { target: registry }, restart: 'permanent' },
    { id: EXEC_DRIVER_ID, logic: execDriver, input: { backend: p.execBackend }, restart: 'permanent' },
    { id: 'network', logic: networkService, input: { target: p.network }, restart: 'permanent' },
    // The embedded DNS listens on real bridges only: the fake backend has none to bind to.
    ...(p.network.backend.name === 'native' ? [{ id: 'dns', logic: dnsService, input: { dns: new EmbeddedDns(p.network, log), bus, log }, restart: 'permanent' as const }] : []),
    { id: 'volumes', logic: volumesService, input: { target: new Volumes(new VolumeStore(p.db), path.join(config.dataRoot, 'volumes'), () => clock.now()) }, restart: 'permanent' },
    { id: 'containers', logic: containersService, input: { target: new Containers(new ContainerStore(p.db)) }, restart: 'permanent' },
    { id: 'monitor', logic: monitorService, input: { target: new Monitor(ctx) }, restart: 'permanent' },
    { id: 'jobs', logic: jobsHost, restart: 'permanent' },
    { id: 'serveapi', logic: serveApi, input: { listeners: p.listeners, api, tracker, drainMs: p.drainMs }, restart: 'permanent', shutdownMs: p.drainMs + 1000 },
  ];
  const actor = createActor(supervisor, {
    id: 'engine',
    systemId: 'engine',
    clock,
    inspect: stream.inspect,
    input: { name: 'engine', strategy: 'one_for_one', intensity: { maxRestarts: 3, periodMs: 30_000 }, children, log },
  });
  root = actor;
  let failure: Error | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const finish = async () => {
    stream.close();
    for (const l of p.listeners) l.server.closeAllConnections(), l.server.close();
    registry.close();
    // Live restore keeps the bridges of containers that run on; with none left they go too.
    const anyRunning = (await new ContainerStore(p.db).all().catch(() => [])).some((c) => c.State.Running);
    await p.network.shutdown({ removeBridges: !anyRunning }).catch((err: Error) => log.error(`network shutdown: ${err.message}`));
    await p.graph.driver.cleanup().catch((err: Error) => log.error(`graph driver cleanup: ${err.message}`));
    await Trash.at(config.dataRoot).drain();
    await p.db.close();
    rmSync(path.join(config.execRoot, 'berth.pid'), { force: true });
    log.info('daemon stopped');
    resolveStopped();
  };
  actor.subscribe({
    complete: () => void finish(),
    error: (err) => {
      failure = err as Error;
      log.error(`engine: giving up: ${(err as Error).message}`);
      void finish();
    },
  });
  actor.start();
  writeFileSync(path.join(config.execRoot, 'berth.pid'), `${process.pid}\n`);
  bus.publish('daemon.start', { id: p.id, attributes: { name: ctx.name } });
  log.info('daemon started', { listening: p.listeners.map((l) => l.address).join(','), dataRoot: config.dataRoot });
  let shutting: Promise<void> | undefined;
  return {
    listening: p.listeners.map((l) => l.address),
    stopped,
    get failure() {
      return failure;
    },
    actors: stream,
    shutdown(reason = 'shutdown requested') {
      shutting ??= (async () => {
        log.info(`daemon shutting down: ${reason}`);
        bus.publish('daemon.shutdown', { id: p.id, attributes: { name: ctx.name } });
        if (actor.getSnapshot().status === 'active') actor.send({ type: 'supervisor.shutdown' });
        await stopped;
      })();
      return shutting;
    },
  };
}
