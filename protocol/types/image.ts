/**
 * Wire types of images as registries and image stores carry them: OCI and Docker schema 2 manifests,
 * indexes / manifest lists, image config blobs, descriptors and media types. Field names are exactly
 * those on the wire (OCI's lowercase JSON, Docker's `Cmd`/`Env` inside `config`).
 */

/** The media types berth reads and writes (OCI image spec + Docker's distribution schema 2). */
export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OciLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerLayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  /** Schema 1 is long deprecated; recognised only to refuse it with a clear message. */
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** Any of the media types above. */
export type KnownMediaType = (typeof MediaType)[keyof typeof MediaType];

/** Media types of single-platform image manifests. */
export const MANIFEST_TYPES: readonly string[] = [MediaType.OciManifest, MediaType.DockerManifest];
/** Media types of multi-platform indexes. */
export const INDEX_TYPES: readonly string[] = [MediaType.OciIndex, MediaType.DockerManifestList];

/** A platform as an index entry or an image config names it. */
export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  features?: string[];
}

/** An OCI content descriptor (also Docker schema 2's). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  /** Base64 of the content itself, when embedded. */
  data?: string;
  /** Only in index entries. */
  platform?: Platform;
  artifactType?: string;
}

/** An image manifest: OCI `application/vnd.oci.image.manifest.v1+json` or Docker schema 2. */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An image index (OCI) or manifest list (Docker): one manifest per platform. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** Either kind of manifest document. */
export type ManifestDocument = ImageManifest | ImageIndex;

/** Docker's HealthConfig (durations in nanoseconds). */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/**
 * The `config` object of an image config blob: the defaults for containers of the image. Named after
 * the swagger's ImageConfig; Docker writes the container-only fields too, so they are optional here.
 */
export interface ImageConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, Record<string, never>> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: HealthConfig;
  ArgsEscaped?: boolean;
  Image?: string;
  Volumes?: Record<string, Record<string, never>> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[] | null;
}

/** One entry of an image config's `history`. */
export interface HistoryEntry {
  created?: string;
  author?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image's root filesystem: the DiffIDs (sha256 of each uncompressed layer tar), bottom first. */
export interface RootFS {
  type: 'layers';
  diff_ids: string[];
}

/**
 * The image config blob (OCI `application/vnd.oci.image.config.v1+json`, Docker
 * `application/vnd.docker.container.image.v1+json`). Its sha256 is the image ID.
 */
export interface ImageConfigFile {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ImageConfig;
  rootfs: RootFS;
  history?: HistoryEntry[];
  /** Docker-only legacy fields, kept when present so that the image ID stays the blob's digest. */
  container?: string;
  container_config?: ImageConfig;
  docker_version?: string;
  comment?: string;
}

/** One answer of GET /images/search (the swagger's ImageSearchResponseItem). */
export interface ImageSearchResponseItem {
  description: string;
  is_official: boolean;
  is_automated: boolean;
  name: string;
  star_count: number;
}

/** The decoded `X-Registry-Auth` header (the swagger's AuthConfig plus the token fields clients send). */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64 of `username:password`, as config files store it. */
  auth?: string;
  email?: string;
  serveraddress?: string;
  /** An OAuth refresh token the registry's token server gave at login. */
  identitytoken?: string;
  /** A bearer token to send to the registry as is. */
  registrytoken?: string;
}
