/**
 * Loads test images into a registry with plain HTTP requests, independent of berth's own registry
 * client (so that the client's tests do not rely on the code they test): HEAD blob, POST + PUT
 * monolithic upload, PUT manifests (an index's children by digest, then the top under the tag).
 */
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { Blob, TestImage, TestIndex } from './images.js';

/** A buffered HTTP answer. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP request without keep-alive (nothing lingers after a test). */
export function rawRequest(method: string, url: string, headers: Record<string, string> = {}, body?: Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Where to push, and how to authorize for a repository (a RegistryServer is one). */
export interface PushTarget {
  url: string;
  authorization?(repo: string): string | undefined;
}

function authHeaders(target: PushTarget, repo: string): Record<string, string> {
  const value = target.authorization?.(repo);
  return value ? { authorization: value } : {};
}

function expect(res: RawResponse, ok: number[], what: string): RawResponse {
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
  return res;
}

/** Uploads one blob unless the repository has it. */
export async function pushBlob(target: PushTarget, repo: string, blob: Blob): Promise<void> {
  const auth = authHeaders(target, repo);
  const head = await rawRequest('HEAD', `${target.url}/v2/${repo}/blobs/${blob.digest}`, auth);
  if (head.status === 200) return;
  const post = expect(await rawRequest('POST', `${target.url}/v2/${repo}/blobs/uploads/`, auth), [202], `POST upload ${repo}`);
  const location = new URL(String(post.headers.location), target.url);
  location.searchParams.set('digest', blob.digest);
  const headers = { ...auth, 'content-type': 'application/octet-stream' };
  expect(await rawRequest('PUT', location.href, headers, blob.bytes), [201], `PUT blob ${blob.digest} to ${repo}`);
}

/** PUTs a manifest under a tag or digest. */
export async function pushManifest(target: PushTarget, repo: string, reference: string, manifest: Blob): Promise<void> {
  const headers = { ...authHeaders(target, repo), 'content-type': manifest.mediaType };
  expect(await rawRequest('PUT', `${target.url}/v2/${repo}/manifests/${reference}`, headers, manifest.bytes), [201], `PUT manifest ${repo}:${reference}`);
}

async function pushSingle(target: PushTarget, repo: string, img: TestImage, reference: string): Promise<void> {
  for (const b of [img.config, ...img.layers]) await pushBlob(target, repo, b);
  await pushManifest(target, repo, reference, img.manifest);
}

/**
 * Pushes an image or index as `repo:tag`; returns the digest the tag points at (the index's for an
 * index, as `docker pull` reports it).
 */
export async function pushImage(target: PushTarget, repo: string, tag: string, image: TestImage | TestIndex): Promise<string> {
  if (image.kind === 'image') {
    await pushSingle(target, repo, image, tag);
    return image.manifest.digest;
  }
  for (const img of image.images) await pushSingle(target, repo, img, img.manifest.digest);
  await pushManifest(target, repo, tag, image.index);
  return image.index.digest;
}
