/**
 * `berth cp` both ways, with the docker CLI's rules for where things land: into an existing
 * directory under their own name, else under the destination's name in its parent; `src/.` copies
 * a directory's content only.
 */
import { promises as fsp } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidParameter } from '../../protocol/errdefs.js';
import type { ContainerPathStat } from '../../protocol/types/archive.js';
import type { ApiClient } from '../api.js';
import { DaemonError } from '../errors.js';
import { localTar } from './local-tar.js';
import { extractLocal } from './local-untar.js';

/** What a copy needs besides its ends. */
export interface CopyOptions {
  follow: boolean;
  archive: boolean;
  /** Counts the bytes that went over the wire, for "Successfully copied …". */
  count: (n: number) => void;
}

const GO_DIR = 2 ** 31;
const isDirMode = (mode: number) => mode >= GO_DIR;
const contentOnly = (p: string) => /(^|\/)\.$/.test(p);

function statOf(res: http.IncomingMessage): ContainerPathStat {
  return JSON.parse(Buffer.from(String(res.headers['x-docker-container-path-stat'] ?? ''), 'base64').toString() || '{}') as ContainerPathStat;
}

function counter(count: (n: number) => void): Transform {
  return new Transform({ transform: (c: Buffer, _e, cb) => (count(c.length), cb(null, c)) });
}

/** Copies `src` out of `container` to the local `dst` ('-': a tar on stdout). */
export async function copyFrom(client: ApiClient, container: string, src: string, dst: string, o: CopyOptions): Promise<void> {
  let res = await client.stream('GET', `/containers/${container}/archive`, { query: { path: src } });
  const st = statOf(res);
  if (o.follow && st.linkTarget) {
    res.resume();
    res = await client.stream('GET', `/containers/${container}/archive`, { query: { path: st.linkTarget } });
  }
  const body = res.pipe(counter(o.count));
  if (dst === '-') return pipeline(body, process.stdout, { end: false });
  const local = await fsp.stat(dst).catch(() => null);
  const srcDir = isDirMode(statOf(res).mode);
  if (contentOnly(src) && !local) await fsp.mkdir(dst);
  if (contentOnly(src) || local?.isDirectory()) return extractLocal(body, dst, null);
  if (local && srcDir) throw invalidParameter(`cannot copy a directory to a file: ${dst}`);
  if (!local && dst.endsWith('/') && !srcDir) throw invalidParameter(`destination directory "${dst}" does not exist`);
  const parent = path.dirname(path.resolve(dst));
  if (!(await fsp.stat(parent).catch(() => null))?.isDirectory()) throw invalidParameter(`destination directory "${parent}" does not exist`);
  return extractLocal(body, parent, path.basename(path.resolve(dst)));
}

/** The stat of a path in a container, null when it does not exist. */
async function statIn(client: ApiClient, container: string, p: string): Promise<ContainerPathStat | null> {
  try {
    const res = await client.stream('HEAD', `/containers/${container}/archive`, { query: { path: p } });
    res.resume();
    return statOf(res);
  } catch (err) {
    if (err instanceof DaemonError && err.status === 404) return null;
    throw err;
  }
}

/** Where a local copy goes in the container: the directory to extract into and its top entry's name. */
async function target(client: ApiClient, container: string, src: string, dst: string, srcIsDir: boolean): Promise<{ dir: string; name: string }> {
  const st = await statIn(client, container, dst);
  const real = st?.linkTarget || dst;
  if (st && isDirMode((await statIn(client, container, real))?.mode ?? st.mode)) return { dir: real, name: contentOnly(src) ? '.' : path.basename(path.resolve(src)) };
  if (st && srcIsDir) throw invalidParameter(`cannot copy a directory to a file: ${dst}`);
  if (!st && dst.endsWith('/') && !srcIsDir) throw invalidParameter(`destination directory "${dst}" does not exist`);
  return { dir: path.posix.dirname(path.posix.resolve('/', real)), name: path.posix.basename(path.posix.resolve('/', real)) };
}

/** Copies the local `src` ('-': a tar on stdin) into `container` at `dst`. */
export async function copyTo(client: ApiClient, src: string, container: string, dst: string, o: CopyOptions): Promise<void> {
  const query = { noOverwriteDirNonDir: 'true', copyUIDGID: o.archive ? 'true' : undefined };
  let tar: Readable;
  let dir = dst;
  if (src === '-') tar = process.stdin;
  else {
    const st = await (o.follow ? fsp.stat(src) : fsp.lstat(src)).catch(() => null);
    if (!st) throw invalidParameter(`lstat ${path.resolve(src)}: no such file or directory`);
    const t = await target(client, container, src, dst, st.isDirectory());
    dir = t.dir;
    tar = await localTar(src, t.name, o.follow);
  }
  const body = tar.pipe(counter(o.count));
  const res = await client.stream('PUT', `/containers/${container}/archive`, { query: { ...query, path: dir }, body, headers: { 'Content-Type': 'application/x-tar' } });
  res.resume();
}
