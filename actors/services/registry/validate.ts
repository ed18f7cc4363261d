/**
 * Shape checks for documents that come from a registry, which is not trusted: a manifest whose
 * descriptors lack a valid digest or size would otherwise fail much later, far from its cause.
 */
import { system } from '../../../protocol/errdefs.js';
import { isDigest } from '../../../protocol/reference.js';
import type { Descriptor, ImageConfigFile, ImageIndex, ImageManifest } from '../../../protocol/types/image.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** A descriptor with a well-formed digest and a non-negative integer size. */
export function checkDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw system(`${where}: descriptor is not an object`);
  if (typeof v.digest !== 'string' || !isDigest(v.digest)) throw system(`${where}: invalid digest ${JSON.stringify(v.digest)}`);
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) throw system(`${where}: invalid size ${JSON.stringify(v.size)}`);
  if (typeof v.mediaType !== 'string') throw system(`${where}: descriptor ${v.digest} has no mediaType`);
  return v as unknown as Descriptor;
}

function checkSchema(v: unknown, display: string): Json {
  if (!isObject(v)) throw system(`manifest for ${display} is not a JSON object`);
  if (v.schemaVersion !== 2) throw system(`manifest for ${display} has unsupported schemaVersion ${JSON.stringify(v.schemaVersion)}`);
  return v;
}

/** An image manifest: schema 2, a config descriptor and a list of layer descriptors. */
export function checkManifest(v: unknown, display: string): ImageManifest {
  const doc = checkSchema(v, display);
  checkDescriptor(doc.config, `manifest for ${display}, config`);
  if (!Array.isArray(doc.layers)) throw system(`manifest for ${display} has no layers list`);
  doc.layers.forEach((l, i) => checkDescriptor(l, `manifest for ${display}, layer ${i}`));
  return doc as unknown as ImageManifest;
}

/** An index / manifest list: schema 2 and a list of descriptors. */
export function checkIndex(v: unknown, display: string): ImageIndex {
  const doc = checkSchema(v, display);
  if (!Array.isArray(doc.manifests)) throw system(`index for ${display} has no manifests list`);
  doc.manifests.forEach((m, i) => checkDescriptor(m, `index for ${display}, entry ${i}`));
  return doc as unknown as ImageIndex;
}

/** An image config blob: os, architecture and rootfs.diff_ids of valid digests. */
export function checkConfig(v: unknown, what: string): ImageConfigFile {
  if (!isObject(v)) throw system(`${what} is not a JSON object`);
  if (typeof v.os !== 'string' || typeof v.architecture !== 'string') throw system(`${what} lacks os or architecture`);
  const rootfs = v.rootfs;
  if (!isObject(rootfs) || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) {
    throw system(`${what} has no rootfs of type layers`);
  }
  for (const d of rootfs.diff_ids) {
    if (typeof d !== 'string' || !isDigest(d)) throw system(`${what} has an invalid diff_id ${JSON.stringify(d)}`);
  }
  return v as unknown as ImageConfigFile;
}
