/**
 * Test images, built at test time from Debian's static busybox (no binary fixtures): layer tars made
 * with tar-stream, gzip-compressed, with proper configs (diff_ids = sha256 of the uncompressed tars)
 * and manifests in Docker schema 2 or OCI form; an index with two platforms; a big random image for
 * the benchmark. Everything is deterministic (fixed mtimes, no randomness except randomImage), so the
 * same build gives the same digests. Upload with pushImage (registry-push.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { MediaType, type Descriptor, type ImageConfig, type ImageConfigFile, type Platform } from '../../protocol/types/image.js';

/** One entry of a layer tar. */
export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  mode?: number;
  content?: Buffer | string;
  /** Target of a symlink or hardlink. */
  linkname?: string;
  uid?: number;
  gid?: number;
}

/** Content with its descriptor fields. */
export interface Blob {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
}

/** A compressed layer, with its DiffID and the uncompressed tar it was made from. */
export interface Layer extends Blob {
  diffId: string;
  tar: Buffer;
}

/** Docker schema 2 or OCI media types throughout. */
export type ImageFormat = 'docker' | 'oci';

/** A single-platform image. */
export interface TestImage {
  kind: 'image';
  format: ImageFormat;
  manifest: Blob;
  config: Blob;
  configDoc: ImageConfigFile;
  layers: Layer[];
  platform: Platform;
}

/** A multi-platform index (OCI) or manifest list (Docker). */
export interface TestIndex {
  kind: 'index';
  format: ImageFormat;
  index: Blob;
  images: TestImage[];
}

/** The fixed time of every test image (mtimes, created). */
export const EPOCH = new Date('2024-01-01T00:00:00Z');
/** Docker's default PATH, as busybox images carry it. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const BUSYBOX = '/bin/busybox';
/** The applets linked to busybox in the test rootfs. */
export const APPLETS = ['sh', 'echo', 'cat', 'ls', 'sleep', 'true', 'false', 'id', 'hostname', 'ps', 'wget', 'nc', 'httpd', 'env', 'mkdir', 'rm', 'touch', 'grep', 'uname', 'pwd', 'kill', 'test', 'stat', 'head', 'wc', 'readlink'];

/** A blob's descriptor fields for some bytes. */
export function blobOf(mediaType: string, bytes: Buffer): Blob {
  return { mediaType, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, bytes };
}

/** The descriptor of a blob (what manifests list). */
export function descriptor(b: Blob, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType: b.mediaType, digest: b.digest, size: b.size, ...extra };
}

/** A tar of these entries, root-owned unless said, every mtime EPOCH. */
export async function makeTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = { name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), mtime: EPOCH, uid: e.uid ?? 0, gid: e.gid ?? 0, linkname: e.linkname ?? '' };
    await new Promise<void>((resolve, reject) => pack.entry(header, type === 'file' ? (e.content ?? '') : '', (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A gzip layer (level 1 for big random data, where compression gains nothing anyway). */
export async function layerOf(entries: TarEntry[], format: ImageFormat = 'docker', level = 6): Promise<Layer> {
  const raw = await makeTar(entries);
  const mediaType = format === 'oci' ? MediaType.OciLayerGzip : MediaType.DockerLayerGzip;
  return { ...blobOf(mediaType, gzipSync(raw, { level })), diffId: blobOf('', raw).digest, tar: raw };
}

/** The busybox rootfs: the binary, its applet links, passwd and group, the usual empty dirs. */
export function busyboxEntries(): TarEntry[] {
  const dirs = ['bin', 'dev', 'etc', 'home', 'proc', 'sys', 'usr', 'usr/bin', 'var'].map((name): TarEntry => ({ name, type: 'directory' }));
  return [
    ...dirs,
    { name: 'root', type: 'directory', mode: 0o700 },
    { name: 'tmp', type: 'directory', mode: 0o1777 },
    { name: 'bin/busybox', mode: 0o755, content: readFileSync(BUSYBOX) },
    ...APPLETS.map((a): TarEntry => ({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' })),
    { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' },
    { name: 'etc/group', content: 'root:x:0:\nnobody:x:65534:\n' },
  ];
}

/** What buildImage needs. */
export interface ImageSpec {
  layers: Layer[];
  format?: ImageFormat;
  platform?: Platform;
  config?: ImageConfig;
  /** created_by of each layer's history entry. */
  createdBy?: string[];
}

/** An image from layers: config (Cmd sh, PATH by default) and manifest in the chosen format. */
export function buildImage(spec: ImageSpec): TestImage {
  const format = spec.format ?? 'docker';
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const created = EPOCH.toISOString();
  const configDoc: ImageConfigFile = {
    created,
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: [DEFAULT_PATH], Cmd: ['sh'], ...spec.config },
    rootfs: { type: 'layers', diff_ids: spec.layers.map((l) => l.diffId) },
    history: [
      ...spec.layers.map((_, i) => ({ created, created_by: spec.createdBy?.[i] ?? `ADD layer-${i}.tar / # berth test fixture` })),
      { created, created_by: `CMD ${JSON.stringify(spec.config?.Cmd ?? ['sh'])}`, empty_layer: true },
    ],
  };
  const config = blobOf(format === 'oci' ? MediaType.OciConfig : MediaType.DockerConfig, Buffer.from(JSON.stringify(configDoc)));
  const manifestType = format === 'oci' ? MediaType.OciManifest : MediaType.DockerManifest;
  const doc = { schemaVersion: 2, mediaType: manifestType, config: descriptor(config), layers: spec.layers.map((l) => descriptor(l)) };
  const manifest = blobOf(manifestType, Buffer.from(JSON.stringify(doc, null, 2)));
  return { kind: 'image', format, manifest, config, configDoc, layers: spec.layers, platform };
}

/** Single-layer busybox (`Cmd ["sh"]`), optionally with extra files in the same layer. */
export async function busyboxImage(opts: { format?: ImageFormat; platform?: Platform; extra?: TarEntry[] } = {}): Promise<TestImage> {
  const layer = await layerOf([...busyboxEntries(), ...(opts.extra ?? [])], opts.format);
  return buildImage({ layers: [layer], format: opts.format, platform: opts.platform, createdBy: ['ADD busybox-rootfs.tar / # berth test fixture'] });
}

/**
 * Three layers: busybox; then a layer adding and modifying files (motd, a user in passwd, /opt/app
 * with a hardlink, a symlink and a setuid file); then a layer deleting motd with a `.wh.` whiteout
 * and making /opt/app opaque (`.wh..wh..opq`) with one new file. The expected final tree: no
 * /etc/motd; /opt/app holds only c.txt; /etc/passwd has `app`.
 */
export async function multiLayerImage(opts: { format?: ImageFormat } = {}): Promise<TestImage> {
  const format = opts.format ?? 'docker';
  const base = await layerOf(busyboxEntries(), format);
  const second = await layerOf(
    [
      { name: 'etc/motd', content: 'hello from layer 2\n' },
      { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n' },
      { name: 'etc/group', content: 'root:x:0:\nnobody:x:65534:\napp:x:1000:\n' },
      { name: 'home/app', type: 'directory', mode: 0o750, uid: 1000, gid: 1000 },
      { name: 'opt', type: 'directory' },
      { name: 'opt/app', type: 'directory' },
      { name: 'opt/app/a.txt', content: 'a\n' },
      { name: 'opt/app/b.txt', content: 'b\n' },
      { name: 'opt/app/data', content: 'shared inode\n' },
      { name: 'opt/app/data-link', type: 'link', linkname: 'opt/app/data' },
      { name: 'opt/app/link', type: 'symlink', linkname: 'a.txt' },
      { name: 'opt/app/suid', mode: 0o4755, content: '#!/bin/sh\necho suid\n' },
    ],
    format,
  );
  const third = await layerOf(
    [
      { name: 'etc', type: 'directory' },
      { name: 'etc/.wh.motd' },
      { name: 'etc/layer3', content: 'third layer\n' },
      { name: 'opt', type: 'directory' },
      { name: 'opt/app', type: 'directory' },
      { name: 'opt/app/.wh..wh..opq' },
      { name: 'opt/app/c.txt', content: 'c\n' },
    ],
    format,
  );
  const config: ImageConfig = {
    Env: [DEFAULT_PATH, 'APP=multi'],
    Cmd: ['sh'],
    WorkingDir: '/opt/app',
    ExposedPorts: { '8080/tcp': {} },
    Volumes: { '/data': {} },
    Labels: { 'org.berth.test': 'multi-layer' },
    StopSignal: 'SIGTERM',
  };
  return buildImage({ layers: [base, second, third], format, config, createdBy: ['ADD busybox', 'RUN add app files', 'RUN rm motd; reset /opt/app'] });
}

/** The platforms of platformIndex: linux/amd64 and linux/arm64/v8. */
export const INDEX_PLATFORMS: Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
];

/**
 * An index (OCI) or manifest list (Docker) of two images that share the busybox layer and differ by
 * a marker layer: /etc/platform holds `linux/amd64` or `linux/arm64/v8`.
 */
export async function platformIndex(opts: { format?: ImageFormat; platforms?: Platform[] } = {}): Promise<TestIndex> {
  const format = opts.format ?? 'oci';
  const base = await layerOf(busyboxEntries(), format);
  const images: TestImage[] = [];
  for (const platform of opts.platforms ?? INDEX_PLATFORMS) {
    const name = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
    const marker = await layerOf([{ name: 'etc', type: 'directory' }, { name: 'etc/platform', content: `${name}\n` }], format);
    images.push(buildImage({ layers: [base, marker], format, platform, config: { Env: [DEFAULT_PATH], Cmd: ['sh'], Labels: { 'org.berth.test.platform': name } } }));
  }
  const indexType = format === 'oci' ? MediaType.OciIndex : MediaType.DockerManifestList;
  const manifests = images.map((img) => descriptor(img.manifest, { platform: img.platform }));
  const index = blobOf(indexType, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: indexType, manifests }, null, 2)));
  return { kind: 'index', format, index, images };
}

/**
 * The benchmark image: `layers` layers of incompressible random data, `totalBytes` in all
 * (default 5 × 17 MiB ≈ 85 MiB), one file per layer.
 */
export async function randomImage(opts: { layers?: number; totalBytes?: number; format?: ImageFormat } = {}): Promise<TestImage> {
  const n = opts.layers ?? 5;
  const per = Math.floor((opts.totalBytes ?? 85 * 1024 * 1024) / n);
  const layers: Layer[] = [];
  for (let i = 0; i < n; i++) {
    layers.push(await layerOf([{ name: 'data', type: 'directory' }, { name: `data/layer-${i}.bin`, content: randomBytes(per) }], opts.format, 1));
  }
  return buildImage({ layers, format: opts.format, config: { Env: [DEFAULT_PATH], Cmd: ['sh'], Labels: { 'org.berth.test': 'random' } } });
}
export { pushImage, type PushTarget } from './registry-push.js';
