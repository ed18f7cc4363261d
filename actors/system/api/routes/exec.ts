import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { invalidParameter } from '../../../../protocol/errdefs.js';
import type { ExecConfig, ExecStartConfig } from '../../../../protocol/types/container-ops.js';
import { frame, STREAM } from '../../../container/stdio.js';
import { commonHeaders, hijack, MAX_JSON_BODY, readJson, sendJson } from '../http.js';
import type { Route } from '../router.js';
import type { ApiRequest } from '../types.js';

/** An integer query value read as dockerd's strconv.Atoi, with its error text (a 400). */
export function atoiQuery(q: URLSearchParams, name: string): number {
  const v = q.get(name) ?? '';
  if (!/^[+-]?\d+$/.test(v)) throw invalidParameter(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

/**
 * The JSON body of an `Upgrade: tcp` request. Node hands such a request over before reading its body,
 * so the body is the first Content-Length bytes on the socket; what follows is the client's stdin.
 */
async function readSocketJson<T>(req: ApiRequest, socket: Duplex): Promise<T | undefined> {
  const length = Number(req.raw.headers['content-length'] ?? 0);
  if (length > MAX_JSON_BODY) throw invalidParameter(`request body too large: ${length} bytes, at most ${MAX_JSON_BODY} accepted`);
  const chunks: Buffer[] = [];
  let got = 0;
  while (got < length) {
    const c = socket.read() as Buffer | null;
    if (c === null) {
      await readable(socket);
      continue;
    }
    chunks.push(c);
    got += c.length;
  }
  const all = Buffer.concat(chunks);
  if (all.length > length) socket.unshift(all.subarray(length));
  if (!length) return undefined;
  try {
    return JSON.parse(all.subarray(0, length).toString('utf8')) as T;
  } catch (err) {
    throw invalidParameter(`invalid JSON in request body: ${(err as Error).message}`);
  }
}

/** Resolves when the socket has data, rejects when it ends first; leaves no listener behind (a 'readable' one would stop 'data' from flowing later). */
function readable(socket: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      socket.off('readable', ok);
      socket.off('end', eof);
      socket.off('close', eof);
      if (err) reject(err);
      else resolve();
    };
    const ok = () => done();
    const eof = () => done(invalidParameter('unexpected EOF in the request body'));
    socket.on('readable', ok);
    socket.on('end', eof);
    socket.on('close', eof);
  });
}

async function containerExec(req: ApiRequest, res: ServerResponse): Promise<void> {
  const config = (await readJson<ExecConfig>(req.raw)) ?? {};
  sendJson(res, 201, await req.engine.job('container.exec', { ref: req.params.id!, config }));
}

/**
 * Starts an exec as dockerd does: detached, a plain 200 once it runs; attached, the connection is taken
 * over first and a failure to run is written into the stream (the CLI prints it, then reads the exit code).
 */
async function execStart(req: ApiRequest, res: ServerResponse): Promise<void> {
  const body = (req.socket ? await readSocketJson<ExecStartConfig>(req, req.socket) : await readJson<ExecStartConfig>(req.raw)) ?? {};
  const id = req.params.id!;
  (await req.engine.call('containers', 'execs', [])).get(id);
  const args = { id, detach: !!body.Detach, multiplexed: !body.Tty, consoleSize: body.ConsoleSize ?? null };
  if (args.detach) {
    await req.engine.job('exec.start', args);
    res.writeHead(200, { ...commonHeaders(), 'Content-Length': 0 });
    return void res.end();
  }
  const h = hijack(res, req.socket, args.multiplexed);
  await req.engine.job('exec.start', args, { stdout: h.out, ...(h.input && { stdin: h.input }), signal: req.signal }).catch((err: Error) => {
    const text = Buffer.from(`${err.message}\r\n`);
    if (!h.out.destroyed) h.out.write(args.multiplexed ? frame(STREAM.stdout, text) : text);
  });
  h.out.end();
}

async function execInspect(req: ApiRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await req.engine.job('exec.inspect', { id: req.params.id! }));
}

async function execResize(req: ApiRequest, res: ServerResponse): Promise<void> {
  const height = atoiQuery(req.query, 'h');
  const width = atoiQuery(req.query, 'w');
  await req.engine.job('exec.resize', { id: req.params.id!, height, width });
  res.writeHead(200, { ...commonHeaders(), 'Content-Length': 0 });
  res.end();
}

/** The exec routes (ContainerExec, ExecStart, ExecInspect, ExecResize). */
export const execRoutes: Route[] = [
  { method: 'POST', path: '/containers/{id}/exec', handler: containerExec },
  { method: 'POST', path: '/exec/{id}/start', handler: execStart },
  { method: 'GET', path: '/exec/{id}/json', handler: execInspect },
  { method: 'POST', path: '/exec/{id}/resize', handler: execResize },
];
