/**
 * The archive `docker save` gets from dockerd 25+: an OCI image layout (oci-layout, index.json,
 * blobs/sha256/… holding configs, OCI manifests and uncompressed layer tars named by their diffIDs)
 * that is also Docker's save format (manifest.json listing Config, RepoTags and Layers by path, and
 * the legacy `repositories` file). Written as a stream: each layer's tar is assembled from its
 * tar-split records while it goes out, so nothing is staged on disk or held in memory.
 */
import { Readable } from 'node:stream';
import { MediaType, type Descriptor, type ImageConfigFile, type Platform } from '../../protocol/types/image.js';
import { familiarName, familiarString, parseNormalizedNamed } from '../../protocol/reference.js';
import type { EngineContext } from '../context.js';
import { sha256 } from '../services/graph/blobs.js';
import type { ExportableImage } from '../services/graph/graph.js';
import { openLayerTar } from '../services/graph/layer-tar.js';
import { END_OF_ARCHIVE, entryBytes, type TarEntry } from '../../drivers/graph/tar-write.js';

/** One image to save and the tags (normalized references) it is saved under. */
export interface SaveImage {
  ex: ExportableImage;
  tags: string[];
}

/** Containerd's annotation with the full image name, which dockerd writes in index.json. */
const IMAGE_NAME = 'io.containerd.image.name';
/** The OCI annotation with the tag. */
const REF_NAME = 'org.opencontainers.image.ref.name';

const blobPath = (digest: string) => `blobs/${digest.replace(':', '/')}`;

function fileEntry(name: string, size: number, mtime: Date): TarEntry {
  return { name, type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime };
}

/** The platform of an image config, as OCI descriptors carry it. */
export function platformOf(c: ImageConfigFile): Platform {
  return { architecture: c.architecture, os: c.os, ...(c['os.version'] && { 'os.version': c['os.version'] }), ...(c.variant && { variant: c.variant }) };
}

/** What the archive's index files say of one image. */
interface Saved {
  manifest: Descriptor;
  config: string;
  layers: string[];
  tags: string[];
  top?: string;
}

/** The archive, as a stream of tar bytes. */
export async function* saveArchive(ctx: EngineContext, images: SaveImage[]): AsyncGenerator<Buffer> {
  const done = new Set<string>();
  const sizes = new Map<string, number>(); // layers written, by diffID
  const saved: Saved[] = [];
  for (const dir of ['blobs', 'blobs/sha256']) yield* entryBytes({ ...fileEntry(dir, 0, new Date(0)), type: 'directory', mode: 0o755 });
  for (const { ex, tags } of images) {
    const config = JSON.parse(ex.config.toString('utf8')) as ImageConfigFile;
    const mtime = new Date(Date.parse(config.created ?? '') || 0);
    if (!done.has(ex.image.id)) yield* blob(ex.image.id, ex.config, mtime);
    done.add(ex.image.id);
    const layers: Descriptor[] = [];
    for (const l of ex.layers) {
      if (!sizes.has(l.diffId)) {
        const tar = await openLayerTar(ctx, l);
        sizes.set(l.diffId, tar.size);
        yield* entryBytes(fileEntry(blobPath(l.diffId), tar.size, mtime), tar.stream);
      }
      layers.push({ mediaType: MediaType.OciLayer, digest: l.diffId, size: sizes.get(l.diffId)! });
    }
    const doc = { schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: ex.image.id, size: ex.config.length }, layers };
    const bytes = Buffer.from(JSON.stringify(doc));
    const digest = sha256(bytes);
    if (!done.has(digest)) yield* blob(digest, bytes, mtime);
    done.add(digest);
    const manifest = { mediaType: MediaType.OciManifest, digest, size: bytes.length, platform: platformOf(config) };
    saved.push({ manifest, config: blobPath(ex.image.id), layers: layers.map((d) => blobPath(d.digest)), tags, top: ex.layers.at(-1)?.diffId });
  }
  yield* indexFiles(saved);
  yield END_OF_ARCHIVE;
}

async function* blob(digest: string, bytes: Buffer, mtime: Date): AsyncGenerator<Buffer> {
  yield* entryBytes(fileEntry(blobPath(digest), bytes.length, mtime), Readable.from([bytes]));
}

/** index.json, manifest.json, oci-layout and repositories, with dockerd's field order. */
async function* indexFiles(saved: Saved[]): AsyncGenerator<Buffer> {
  const manifests = saved.flatMap((s) =>
    s.tags.length ? s.tags.map((t) => ({ ...s.manifest, annotations: { [IMAGE_NAME]: t, [REF_NAME]: t.slice(t.lastIndexOf(':') + 1) } })) : [s.manifest],
  );
  const repositories: Record<string, Record<string, string>> = {};
  for (const s of saved) {
    for (const t of s.tags) {
      const ref = parseNormalizedNamed(t);
      if (s.top) (repositories[familiarName(ref)] ??= {})[ref.tag!] = s.top.replace(/^sha256:/, '');
    }
  }
  const manifestJson = saved.map((s) => ({ Config: s.config, RepoTags: s.tags.length ? s.tags.map((t) => familiarString(parseNormalizedNamed(t))) : null, Layers: s.layers }));
  const files: [string, unknown][] = [
    ['index.json', { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }],
    ['manifest.json', manifestJson],
    ['oci-layout', { imageLayoutVersion: '1.0.0' }],
  ];
  if (Object.keys(repositories).length) files.push(['repositories', repositories]);
  for (const [name, doc] of files) {
    const bytes = Buffer.from(JSON.stringify(doc));
    yield* entryBytes(fileEntry(name, bytes.length, new Date(0)), Readable.from([bytes]));
  }
}
