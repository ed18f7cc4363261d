/**
 * The steps of a push (push.ts is the statechart): which tags go, the layers of one tag (five at a
 * time, as dockerd's max-concurrent-uploads), then its config and its schema 2 manifest.
 */
import type { Writable } from 'node:stream';
import { notFound } from '../../protocol/errdefs.js';
import { familiarName, familiarString, parseNormalizedNamed, referenceName, referenceString, withTag, type Reference } from '../../protocol/reference.js';
import { MediaType, type AuthConfig, type Descriptor, type ImageConfigFile, type Platform } from '../../protocol/types/image.js';
import type { EngineContext } from '../context.js';
import type { ExportableImage } from '../services/graph/graph.js';
import type { Repository } from '../services/registry/client.js';
import { formatPlatform, platformMatches } from '../services/registry/platform.js';
import type { ProgressWriter } from './progress.js';
import { shortDigest } from './pull-steps.js';
import { pushLayer, type LayerPushTarget } from './push-layer.js';

/** dockerd's default --max-concurrent-uploads. */
const CONCURRENT_UPLOADS = 5;

/** One tag to push and the image it points to. */
export interface PushTag {
  tag: string;
  image: ExportableImage;
}

/** What a push found out before sending anything. */
export interface PushPlan {
  /** The repository, without tag. */
  ref: Reference;
  repository: Repository;
  tags: PushTag[];
}

/** What the registry stored for one tag (the aux message's PushResult). */
export interface PushResult {
  Tag: string;
  Digest: string;
  Size: number;
}

/**
 * The tags to push: the one asked for, or every tag of the repository. Errors (with dockerd's words)
 * come after the "push refers to" line, in the stream, as dockerd sends them.
 */
export async function planPush(ctx: EngineContext, args: { name: string; tag?: string; auth?: AuthConfig; platform?: Platform }, progress: ProgressWriter): Promise<PushPlan> {
  const parsed = parseNormalizedNamed(args.name);
  const ref: Reference = { domain: parsed.domain, path: parsed.path };
  progress.status(`The push refers to repository [${referenceName(ref)}]`);
  const all = await ctx.call('graph', 'repositoryTags', [referenceName(ref)]);
  if (!all.length) throw notFound(`An image does not exist locally with the tag: ${familiarName(ref)}`);
  const wanted = args.tag ? all.filter((a) => a.ref === referenceString(withTag(ref, args.tag!))) : all;
  if (!wanted.length) throw notFound(`tag does not exist: ${familiarString(withTag(ref, args.tag!))}`);
  const tags: PushTag[] = [];
  for (const a of wanted) tags.push({ tag: a.ref.slice(a.ref.lastIndexOf(':') + 1), image: await ctx.call('graph', 'exportable', [a.id]) });
  if (args.platform) for (const t of tags) checkPlatform(withTag(ref, t.tag), t.image, args.platform);
  return { ref, repository: await ctx.call('registry', 'repository', [ref, { auth: args.auth, push: true }]), tags };
}

/**
 * The `platform` of a push against one image, as dockerd's image store without containerd checks it
 * (GetImage with a platform): a host of `want` must be able to run the image, else NotFound.
 */
function checkPlatform(ref: Reference, image: ExportableImage, want: Platform): void {
  const config = JSON.parse(image.config.toString('utf8')) as ImageConfigFile;
  const have: Platform = { os: config.os ?? '', architecture: config.architecture ?? '', ...(config.variant && { variant: config.variant }) };
  if (platformMatches(want, have)) return;
  throw notFound(`image with reference ${referenceString(ref)} was found but does not match the specified platform: wanted ${formatPlatform(want)}, actual: ${formatPlatform(have)}`);
}

/**
 * Pushes the layers of one tag, top layer first as dockerd lists them; returns their descriptors
 * bottom first, as the manifest wants them. A layer past the upload limit says "Waiting" until its turn.
 */
export async function pushLayers(ctx: EngineContext, plan: PushPlan, t: PushTag, progress: ProgressWriter, signal?: AbortSignal): Promise<Descriptor[]> {
  const unique = [...new Map(t.image.layers.map((l) => [l.diffId, l])).values()];
  const topFirst = [...unique].reverse();
  for (const l of topFirst) progress.status('Preparing', shortDigest(l.diffId));
  topFirst.slice(CONCURRENT_UPLOADS).forEach((l) => progress.status('Waiting', shortDigest(l.diffId)));
  const to: LayerPushTarget = { repository: plan.repository, name: referenceName(plan.ref), progress, signal };
  const pushed = new Map<string, Descriptor>();
  let next = 0;
  const worker = async () => {
    while (next < topFirst.length) {
      const l = topFirst[next++]!;
      pushed.set(l.diffId, await pushLayer(ctx, to, l));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_UPLOADS, topFirst.length) }, worker));
  return t.image.layers.map((l) => pushed.get(l.diffId)!);
}

/** A Docker schema 2 manifest, encoded as dockerd's distribution library encodes it (3-space indent). */
export function schema2Manifest(config: Descriptor, layers: Descriptor[]): Buffer {
  const doc = { schemaVersion: 2, mediaType: MediaType.DockerManifest, config, layers };
  return Buffer.from(JSON.stringify(doc, null, 3));
}

/**
 * Pushes the config blob and the manifest under the tag, reports them as dockerd does
 * (`<tag>: digest: … size: …` and the aux PushResult), and adds the digest to the image's RepoDigests.
 */
export async function pushManifest(ctx: EngineContext, plan: PushPlan, t: PushTag, layers: Descriptor[], out: Writable | undefined, progress: ProgressWriter, signal?: AbortSignal): Promise<PushResult> {
  const config: Descriptor = { mediaType: MediaType.DockerConfig, size: t.image.config.length, digest: t.image.image.id };
  await plan.repository.pushBlob(config, t.image.config, { signal });
  const bytes = schema2Manifest(config, layers);
  const digest = await plan.repository.pushManifest(MediaType.DockerManifest, bytes, t.tag, signal);
  progress.status(`${t.tag}: digest: ${digest} size: ${bytes.length}`);
  const result: PushResult = { Tag: t.tag, Digest: digest, Size: bytes.length };
  if (out && !out.writableEnded && !out.destroyed) out.write(`${JSON.stringify({ progressDetail: {}, aux: result })}\r\n`);
  const image = { ...t.image.image, repoDigests: [`${referenceName(plan.ref)}@${digest}`] };
  await ctx.call('graph', 'commit', [image, [], []]);
  return result;
}
