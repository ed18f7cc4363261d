/**
 * The rows of `berth images`, after docker's image formatter: one row per repository:tag (and per
 * digest with --digests), `<none>` for dangling images, docker's columns and humanized values.
 */
import type { ImageSummary } from '../../protocol/types/images-api.js';
import { familiarName, parseNormalizedNamed, type Reference } from '../../protocol/reference.js';
import { goTimeString } from './gotime.js';
import { humanSize, since } from './humanize.js';
import { TABLE, isTable } from './listing.js';

/** One row as templates see it; keys in Go's JSON order (sorted), so `{{json .}}` matches docker. */
export interface ImageRow {
  Containers: string;
  CreatedAt: string;
  CreatedSince: string;
  Digest: string;
  ID: string;
  Repository: string;
  SharedSize: string;
  Size: string;
  Tag: string;
  UniqueSize: string;
  VirtualSize: string;
}

/** The header of each field in a table. */
export const IMAGE_HEADERS: Readonly<Record<keyof ImageRow, string>> = {
  Containers: 'CONTAINERS', CreatedAt: 'CREATED AT', CreatedSince: 'CREATED', Digest: 'DIGEST', ID: 'IMAGE ID',
  Repository: 'REPOSITORY', SharedSize: 'SHARED SIZE', Size: 'SIZE', Tag: 'TAG', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE',
};

/** How to render. `nowMs` is the clock for CREATED (a parameter so tests can fix it). */
export interface ImageRowOptions {
  digests: boolean;
  noTrunc: boolean;
  nowMs: number;
}

/** docker's NewImageFormat: the default table (with DIGEST under --digests), `{{.ID}}` for -q. */
export function imageFormat(format: string | undefined, quiet: boolean, digests: boolean): string {
  const source = format || TABLE;
  if (source === TABLE) {
    if (quiet) return '{{.ID}}';
    return digests
      ? 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}'
      : 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
  }
  return isTable(source) && digests && !source.includes('{{.Digest}}') ? `${source}\t{{.Digest}}` : source;
}

/** `sha256:0123…` → `0123456789ab`, as docker's stringid.TruncateID. */
export function truncateId(id: string): string {
  return id.slice(id.indexOf(':') + 1).slice(0, 12);
}

/** The rows of a list of images, in the daemon's order. */
export function imageRows(images: readonly ImageSummary[], options: ImageRowOptions): ImageRow[] {
  return images.flatMap((image) => {
    const row = (repo: string, tag: string, digest: string): ImageRow => makeRow(image, repo, tag, digest, options);
    return dangling(image) ? [row('<none>', '<none>', '<none>')] : namedRows(image, options.digests, row);
  });
}

function dangling(image: ImageSummary): boolean {
  const tags = image.RepoTags ?? [];
  const digests = image.RepoDigests ?? [];
  if (tags.length === 0 && digests.length === 0) return true;
  return tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>';
}

type RowMaker = (repo: string, tag: string, digest: string) => ImageRow;

/** A row per tag (per tag and digest with --digests), then the repositories known only by digest. */
function namedRows(image: ImageSummary, showDigests: boolean, row: RowMaker): ImageRow[] {
  const tags = groupByRepo(image.RepoTags ?? [], (ref) => ref.tag);
  const digests = groupByRepo(image.RepoDigests ?? [], (ref) => ref.digest);
  const rows: ImageRow[] = [];
  for (const [repo, repoTags] of tags) {
    const repoDigests = showDigests ? (digests.get(repo) ?? []) : [];
    digests.delete(repo);
    for (const tag of repoTags) {
      if (repoDigests.length === 0) rows.push(row(repo, tag, '<none>'));
      else for (const digest of repoDigests) rows.push(row(repo, tag, digest));
    }
  }
  for (const [repo, repoDigests] of digests) {
    if (showDigests) rows.push(...repoDigests.map((digest) => row(repo, '<none>', digest)));
    else rows.push(row(repo, '<none>', ''));
  }
  return rows;
}

/** Familiar repository name → the tags (or digests) of the references that have one; others skipped. */
function groupByRepo(refs: readonly string[], pick: (ref: Reference) => string | undefined): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const text of refs) {
    let ref: Reference;
    try {
      ref = parseNormalizedNamed(text);
    } catch {
      continue; // docker skips what it cannot parse (`<none>:<none>`)
    }
    const value = pick(ref);
    if (value === undefined) continue;
    const name = familiarName(ref);
    groups.set(name, [...(groups.get(name) ?? []), value]);
  }
  return groups;
}

function makeRow(image: ImageSummary, repo: string, tag: string, digest: string, options: ImageRowOptions): ImageRow {
  const na = (n: number, text: string): string => (n === -1 ? 'N/A' : text);
  return {
    Containers: na(image.Containers, String(image.Containers)),
    CreatedAt: goTimeString(image.Created),
    CreatedSince: since(image.Created, options.nowMs),
    Digest: digest,
    ID: options.noTrunc ? image.Id : truncateId(image.Id),
    Repository: repo,
    SharedSize: na(image.SharedSize, humanSize(image.SharedSize)),
    Size: humanSize(image.Size, 3),
    Tag: tag,
    UniqueSize: na(image.SharedSize, humanSize(image.Size - image.SharedSize)),
    VirtualSize: humanSize(image.Size),
  };
}
