/**
 * Blob upload as dockerd does it: skip blobs the repository has (HEAD), mount blobs another repository
 * of the same registry has (POST ?mount=&from=), else upload — monolithic (POST, then PUT ?digest=
 * with the body) for ordinary blobs, chunked (PATCH with Content-Range, then PUT ?digest=) for big ones.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { system } from '../../../protocol/errdefs.js';
import type { Descriptor } from '../../../protocol/types/image.js';
import { repositoryScope } from './auth.js';
import { statBlob } from './blobs.js';
import { responseError } from './errors.js';
import type { Transport } from './transport.js';

/** Where a blob's bytes come from: a buffer, or a function opening a fresh stream (so a request can be re-sent). */
export type BlobSource = Buffer | (() => Readable);

/** Options of pushBlob. */
export interface PushBlobOptions {
  /** Other repositories of the registry that may hold the blob (Docker's V2Metadata sources). */
  mountFrom?: readonly string[];
  /** Blobs above this many bytes go up in chunks. Default 64 MiB. */
  monolithicMax?: number;
  /** Size of each PATCH. Default 16 MiB. */
  chunkSize?: number;
  signal?: AbortSignal;
}

/** What pushBlob did. */
export type PushBlobResult = 'exists' | 'mounted' | 'uploaded';

/** Pushes one blob to repository `name`, the cheapest way the registry allows. */
export async function pushBlob(t: Transport, name: string, desc: Descriptor, source: BlobSource, opts: PushBlobOptions = {}): Promise<PushBlobResult> {
  const { signal } = opts;
  if ((await statBlob(t, name, desc.digest, signal)) !== undefined) return 'exists';
  for (const from of opts.mountFrom ?? []) {
    if (from !== name && (await mountBlob(t, name, desc.digest, from, signal))) return 'mounted';
  }
  const location = await startUpload(t, name, signal);
  try {
    if (desc.size <= (opts.monolithicMax ?? 64 * 1024 * 1024)) await putMonolithic(t, location, desc, source, signal);
    else await putChunked(t, location, desc, source, opts.chunkSize ?? 16 * 1024 * 1024, signal);
  } catch (err) {
    await cancelUpload(t, location);
    throw err;
  }
  return 'uploaded';
}

/** POST ?mount=: true when the registry mounted it (201); a 202 is an upload session we do not need. */
export async function mountBlob(t: Transport, name: string, digest: string, from: string, signal?: AbortSignal): Promise<boolean> {
  t.auth.addScopes([repositoryScope(from, ['pull'])]);
  const url = `/v2/${name}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
  const res = await t.request({ method: 'POST', url, headers: { 'content-length': '0' }, signal });
  if (res.status === 201) return true;
  if (res.status === 202) {
    await cancelUpload(t, locationOf(t, res.headers.location, name));
    return false;
  }
  throw responseError(`mounting blob ${digest} from ${from} into ${t.endpoint.registry}/${name}`, res.status, res.body);
}

/** POST /blobs/uploads/: opens an upload session, returns its absolute Location. */
export async function startUpload(t: Transport, name: string, signal?: AbortSignal): Promise<string> {
  const res = await t.request({ method: 'POST', url: `/v2/${name}/blobs/uploads/`, headers: { 'content-length': '0' }, signal });
  if (res.status !== 202) throw responseError(`starting an upload to ${t.endpoint.registry}/${name}`, res.status, res.body);
  return locationOf(t, res.headers.location, name);
}

function locationOf(t: Transport, location: string | undefined, name: string): string {
  if (!location) throw system(`upload to ${t.endpoint.registry}/${name}: the registry sent no Location`);
  return t.url(location);
}

/** The upload URL with `digest=` added to whatever query (session state) the registry put there. */
function withDigest(location: string, digest: string): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.href;
}

async function putMonolithic(t: Transport, location: string, desc: Descriptor, source: BlobSource, signal?: AbortSignal): Promise<void> {
  const headers = { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) };
  const res = await t.request({ method: 'PUT', url: withDigest(location, desc.digest), headers, body: source, signal });
  if (res.status !== 201) throw responseError(`uploading blob ${desc.digest} to ${t.endpoint.registry}`, res.status, res.body);
}

async function putChunked(t: Transport, start: string, desc: Descriptor, source: BlobSource, chunkSize: number, signal?: AbortSignal): Promise<void> {
  let location = start;
  let offset = 0;
  for await (const chunk of chunksOf(source, chunkSize)) {
    const headers = {
      'content-type': 'application/octet-stream',
      'content-length': String(chunk.length),
      'content-range': `${offset}-${offset + chunk.length - 1}`,
    };
    const res = await t.request({ method: 'PATCH', url: location, headers, body: chunk, signal });
    if (res.status !== 202) throw responseError(`uploading blob ${desc.digest} to ${t.endpoint.registry} (bytes from ${offset})`, res.status, res.body);
    location = res.headers.location ? t.url(res.headers.location) : location;
    offset += chunk.length;
  }
  if (offset !== desc.size) throw system(`uploading blob ${desc.digest}: the source had ${offset} bytes, the descriptor says ${desc.size}`);
  const res = await t.request({ method: 'PUT', url: withDigest(location, desc.digest), headers: { 'content-length': '0' }, signal });
  if (res.status !== 201) throw responseError(`closing the upload of ${desc.digest} to ${t.endpoint.registry}`, res.status, res.body);
}

/** Cuts a source into chunks of exactly `size` bytes (the last may be shorter); holds one chunk at most. */
async function* chunksOf(source: BlobSource, size: number): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    for (let i = 0; i < source.length; i += size) yield source.subarray(i, i + size);
    return;
  }
  let parts: Buffer[] = [];
  let have = 0;
  for await (const piece of source() as AsyncIterable<Buffer>) {
    let rest = piece;
    while (have + rest.length >= size) {
      const take = size - have;
      parts.push(rest.subarray(0, take));
      yield Buffer.concat(parts);
      [parts, have, rest] = [[], 0, rest.subarray(take)];
    }
    if (rest.length > 0) {
      parts.push(rest);
      have += rest.length;
    }
  }
  if (have > 0) yield Buffer.concat(parts);
}

/** What a streamed upload sent: the digest and size of its bytes, known once they have gone. */
export interface StreamedBlob {
  digest: string;
  size: number;
}

/**
 * Uploads a blob whose digest is not known in advance (a layer compressed while it is sent), as
 * dockerd does: one PATCH with the body streamed (chunked transfer encoding, no Content-Range), then
 * PUT ?digest= with the digest of what went. The source errors instead of ending when its content
 * is not right (a layer whose tar does not hash to its diffID): the upload is then cancelled, and
 * nothing is committed under any digest.
 */
export async function pushBlobStream(t: Transport, name: string, open: () => Readable, signal?: AbortSignal): Promise<StreamedBlob> {
  let location = await startUpload(t, name, signal);
  let sent: { digest(): string; size(): number } | undefined;
  let refused: unknown; // the source's own error (its content was not right), rather than how the request died of it
  const body = () => {
    const hash = createHash('sha256');
    let n = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        n += chunk.length;
        cb(null, chunk);
      },
    });
    const source = open();
    source.on('error', (err) => {
      refused = err;
      tap.destroy(err);
    });
    sent = { digest: () => `sha256:${hash.digest('hex')}`, size: () => n };
    return source.pipe(tap);
  };
  try {
    const res = await t.request({ method: 'PATCH', url: location, headers: { 'content-type': 'application/octet-stream' }, body, signal });
    if (res.status !== 202) throw responseError(`uploading a blob to ${t.endpoint.registry}/${name}`, res.status, res.body);
    location = res.headers.location ? t.url(res.headers.location) : location;
    const blob = { digest: sent!.digest(), size: sent!.size() };
    const put = await t.request({ method: 'PUT', url: withDigest(location, blob.digest), headers: { 'content-length': '0' }, signal });
    if (put.status !== 201) throw responseError(`closing the upload of ${blob.digest} to ${t.endpoint.registry}/${name}`, put.status, put.body);
    return blob;
  } catch (err) {
    await cancelUpload(t, location);
    throw refused ?? err;
  }
}

/** DELETE an upload session; failures are ignored, as the spec says clients should. */
export async function cancelUpload(t: Transport, location: string): Promise<void> {
  await t.request({ method: 'DELETE', url: location }).catch(() => undefined);
}
