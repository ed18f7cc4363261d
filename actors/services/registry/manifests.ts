/**
 * Manifests over the distribution API: fetch by tag or digest (content-negotiated for schema 2, OCI
 * and both kinds of index), digest checked, shape checked; resolve through indexes to the manifest
 * for a platform; HEAD to learn a digest cheaply; PUT to push.
 */
import { notFound, notImplemented, system } from '../../../protocol/errdefs.js';
import { isDigest } from '../../../protocol/reference.js';
import {
  INDEX_TYPES,
  MANIFEST_TYPES,
  MediaType,
  type ImageIndex,
  type ImageManifest,
  type ManifestDocument,
  type Platform,
} from '../../../protocol/types/image.js';
import { sha256 } from '../graph/blobs.js';
import { responseError } from './errors.js';
import { formatPlatform, hostPlatform, selectPlatform } from './platform.js';
import type { Transport } from './transport.js';
import { checkIndex, checkManifest } from './validate.js';

/** What we ask registries for, best first. */
export const MANIFEST_ACCEPT = [MediaType.OciIndex, MediaType.DockerManifestList, MediaType.OciManifest, MediaType.DockerManifest].join(', ');

/** Docker refuses manifests above 4 MiB; so does berth (they are JSON; anything bigger is hostile). */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

/** A manifest as fetched: its exact bytes (the digest is over them), type and parsed document. */
export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  document: ManifestDocument;
}

/** The outcome of resolving a reference to one image manifest. */
export interface Resolved {
  /** The digest the reference resolved to (the index's, when it was an index): Docker's RepoDigest. */
  digest: string;
  /** The image manifest for the platform. */
  manifest: FetchedManifest & { document: ImageManifest };
  /** The index that was followed, if any. */
  index?: FetchedManifest & { document: ImageIndex };
  /** The platform of the chosen index entry. */
  platform?: Platform;
}

function manifestPath(name: string, reference: string): string {
  return `/v2/${name}/manifests/${reference}`;
}

/**
 * GET a manifest. `display` is the reference as the user wrote it, for Docker's
 * `manifest for <ref> not found: …` message.
 */
export async function fetchManifest(t: Transport, name: string, reference: string, display: string, signal?: AbortSignal): Promise<FetchedManifest> {
  const res = await t.request({ method: 'GET', url: manifestPath(name, reference), headers: { accept: MANIFEST_ACCEPT }, signal });
  if (res.status === 404) throw notFoundError(display, res.body);
  if (res.status === 401 || res.status === 403) throw deniedError(display, res.status, res.body);
  if (res.status !== 200) throw responseError(`fetching manifest for ${display} from ${t.endpoint.registry}`, res.status, res.body);
  if (res.body.length > MANIFEST_MAX_BYTES) throw system(`manifest for ${display} is too large (${res.body.length} bytes)`);
  const digest = sha256(res.body);
  if (isDigest(reference) && reference !== digest) {
    throw system(`manifest verification failed for digest ${reference}: the registry sent content with digest ${digest}`);
  }
  return { digest, ...parseManifest(res.body, res.headers['content-type'], display) };
}

function notFoundError(display: string, body: Buffer): Error {
  const e = responseError(`manifest for ${display} not found`, 404, body);
  return e.message.endsWith('unexpected status 404') ? notFound(`manifest for ${display} not found: manifest unknown`) : notFound(e.message);
}

/** dockerd's words for a pull the registry refuses: the repository may not exist, or need a login. */
function deniedError(display: string, status: number, body: Buffer): Error {
  const name = display.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  return responseError(`pull access denied for ${name}, repository does not exist or may require 'docker login'`, status, body);
}

/** Parses and checks a manifest body; the media type comes from the document, else Content-Type. */
export function parseManifest(bytes: Buffer, contentType: string | undefined, display: string): Omit<FetchedManifest, 'digest'> {
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw system(`manifest for ${display} is not valid JSON`);
  }
  const header = contentType?.split(';')[0]?.trim();
  const field = document && typeof document === 'object' && 'mediaType' in document ? document.mediaType : undefined;
  if (field !== undefined && typeof field !== 'string') throw system(`manifest for ${display} has a non-string mediaType`);
  if (field && header && header !== field && !GENERIC_TYPES.has(header)) {
    throw system(`manifest for ${display} says it is ${field} but was served as ${header}`);
  }
  const mediaType = field || inferMediaType(document, header);
  if (mediaType === MediaType.DockerSchema1 || mediaType === MediaType.DockerSchema1Signed) {
    throw notImplemented(`manifest for ${display} is Docker Image manifest version 2, schema 1, which berth does not support; push it again with a newer client`);
  }
  if (INDEX_TYPES.includes(mediaType)) return { mediaType, bytes, document: checkIndex(document, display) };
  if (MANIFEST_TYPES.includes(mediaType)) return { mediaType, bytes, document: checkManifest(document, display) };
  throw notImplemented(`manifest for ${display} has unsupported media type ${mediaType || '(none)'}`);
}

/** Content-Types that say nothing about the manifest (some servers send them for any JSON). */
const GENERIC_TYPES = new Set(['application/json', 'text/plain', 'application/octet-stream']);

/** An OCI document without mediaType is told apart by its fields; the header is the fallback. */
function inferMediaType(document: unknown, header: string | undefined): string {
  if (header && !GENERIC_TYPES.has(header)) return header;
  if (document && typeof document === 'object' && 'manifests' in document) return MediaType.OciIndex;
  if (document && typeof document === 'object' && 'config' in document) return MediaType.OciManifest;
  return header ?? '';
}

/** How deep indexes may nest (an index pointing at an index is allowed by OCI, rare in practice). */
const MAX_INDEX_DEPTH = 4;

/**
 * Resolves a tag or digest to the image manifest for a platform (default: this host's), following
 * indexes and manifest lists. No match in an index is NotFound with Docker's message.
 */
export async function resolveManifest(
  t: Transport,
  name: string,
  reference: string,
  display: string,
  platform: Platform = hostPlatform(),
  signal?: AbortSignal,
): Promise<Resolved> {
  const top = await fetchManifest(t, name, reference, display, signal);
  let current = top;
  let index: Resolved['index'];
  let chosen: Platform | undefined;
  for (let depth = 0; 'manifests' in current.document; depth++) {
    if (depth >= MAX_INDEX_DEPTH) throw system(`manifest for ${display}: indexes nested more than ${MAX_INDEX_DEPTH} deep`);
    const doc: ImageIndex = current.document;
    index ??= { ...current, document: doc };
    const entry = selectPlatform(doc.manifests, platform);
    if (!entry) throw notFound(`no matching manifest for ${formatPlatform(platform)} in the manifest list entries`);
    chosen = entry.platform;
    current = await fetchManifest(t, name, entry.digest, display, signal);
  }
  const document = current.document;
  if (!('layers' in document)) throw system(`manifest for ${display} is neither an image manifest nor an index`);
  const out: Resolved = { digest: top.digest, manifest: { ...current, document } };
  if (index) out.index = index;
  if (chosen) out.platform = chosen;
  return out;
}

/** HEAD a manifest: its digest, type and size, or undefined when the registry does not have it. */
export async function headManifest(
  t: Transport,
  name: string,
  reference: string,
  display: string,
  signal?: AbortSignal,
): Promise<{ digest: string; mediaType: string; size: number } | undefined> {
  const res = await t.request({ method: 'HEAD', url: manifestPath(name, reference), headers: { accept: MANIFEST_ACCEPT }, signal });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw responseError(`checking manifest for ${display} on ${t.endpoint.registry}`, res.status);
  const digest = res.headers['docker-content-digest'];
  if (typeof digest !== 'string' || !isDigest(digest)) {
    throw system(`checking manifest for ${display}: ${t.endpoint.registry} sent no Docker-Content-Digest`);
  }
  return { digest, mediaType: res.headers['content-type']?.split(';')[0] ?? '', size: Number(res.headers['content-length'] ?? 0) };
}

/** PUT a manifest under a tag or digest; returns its digest (checked against the registry's). */
export async function putManifest(t: Transport, name: string, reference: string, mediaType: string, bytes: Buffer, signal?: AbortSignal): Promise<string> {
  const digest = sha256(bytes);
  const res = await t.request({ method: 'PUT', url: manifestPath(name, reference), headers: { 'content-type': mediaType }, body: bytes, signal });
  if (res.status !== 201 && res.status !== 200) {
    throw responseError(`pushing manifest ${name}:${reference} to ${t.endpoint.registry}`, res.status, res.body);
  }
  const theirs = res.headers['docker-content-digest'];
  if (typeof theirs === 'string' && theirs !== digest) {
    throw system(`pushing manifest ${name}:${reference}: the registry stored digest ${theirs}, expected ${digest}`);
  }
  return digest;
}
