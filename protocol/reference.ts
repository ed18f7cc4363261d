/**
 * Docker image references, parsed and normalized as the docker CLI and dockerd do (the grammar of
 * distribution/reference): `busybox` is `docker.io/library/busybox`, `127.0.0.1:5000/x/y:tag` keeps its
 * registry, `name@sha256:…` pins a digest. Errors are InvalidParameter with Docker's messages, since
 * clients show them verbatim.
 */
import { invalidParameter } from './errdefs.js';

/** A parsed reference: registry domain, repository path, optional tag and digest. */
export interface Reference {
  /** Registry host[:port]; `docker.io` for Docker Hub once normalized. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

/** Docker Hub's canonical domain, as references spell it. */
export const DEFAULT_DOMAIN = 'docker.io';
/** The tag a reference without tag or digest gets. */
export const DEFAULT_TAG = 'latest';
const LEGACY_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const NAME_MAX = 255;

// The grammar, piece by piece as in distribution/reference/regexp.go.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[[a-fA-F0-9:]+\\]';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const PATH = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const NAME = `(?:${DOMAIN}/)?${PATH}`;

const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const NAME_RE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH})$`);
const TAG_RE = new RegExp(`^${TAG}$`);
const DIGEST_RE = new RegExp(`^${DIGEST}$`);
const HEX64_RE = /^[a-f0-9]{64}$/;

/** Hex lengths of the digest algorithms Docker accepts (go-digest's available set). */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * Docker's `reference.Parse`: the raw grammar, no normalization (`busybox` is a path with no domain;
 * use parseNormalizedNamed for what users type).
 */
export function parseReference(s: string): Reference {
  const m = REFERENCE_RE.exec(s);
  if (!m) {
    if (s === '') throw invalidParameter('repository name must have at least one component');
    if (REFERENCE_RE.test(s.toLowerCase())) throw invalidParameter('invalid reference format: repository name must be lowercase');
    throw invalidParameter('invalid reference format');
  }
  const [, name = '', tag, digest] = m;
  if (name.length > NAME_MAX) throw invalidParameter(`repository name must not be more than ${NAME_MAX} characters`);
  const nm = NAME_RE.exec(name);
  const ref: Reference = { domain: nm?.[1] ?? '', path: nm?.[2] ?? name };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = validateDigest(digest);
  return ref;
}

/**
 * Docker's `ParseNormalizedNamed`: what `docker pull X` accepts. Adds docker.io and library/ where
 * Docker does; refuses bare image IDs and uppercase repository names with Docker's messages.
 */
export function parseNormalizedNamed(s: string): Reference {
  if (HEX64_RE.test(s)) {
    throw invalidParameter(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remoteName = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remoteName.toLowerCase() !== remoteName) {
    throw invalidParameter('invalid reference format: repository name must be lowercase');
  }
  return parseReference(`${domain}/${remainder}`);
}

/** Splits off the registry the way Docker does: the first component is one only if it looks like a host. */
function splitDockerDomain(name: string): [string, string] {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return [domain, remainder];
}

/** Docker's `TagNameOnly`: a reference with neither tag nor digest gets `latest`. */
export function withDefaultTag(ref: Reference): Reference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** The reference with this tag (and no digest), after checking the tag's format. */
export function withTag(ref: Reference, tag: string): Reference {
  if (!TAG_RE.test(tag)) throw invalidParameter('invalid tag format');
  return { domain: ref.domain, path: ref.path, tag };
}

/** The reference pinned to this digest (and no tag). */
export function withDigest(ref: Reference, digest: string): Reference {
  return { domain: ref.domain, path: ref.path, digest: validateDigest(digest) };
}

/**
 * What dockerd does with the `tag` query parameter of /images/create and /images/{name}/push:
 * a digest there pins the digest, anything else is a tag; empty leaves the reference as it is.
 */
export function withTagOrDigest(ref: Reference, tagOrDigest: string | undefined): Reference {
  if (!tagOrDigest) return ref;
  return isDigest(tagOrDigest) ? withDigest(ref, tagOrDigest) : withTag(ref, tagOrDigest);
}

/** Whether a string is a well-formed digest Docker would accept (`sha256:` + 64 lowercase hex, …). */
export function isDigest(s: string): boolean {
  try {
    validateDigest(s);
    return true;
  } catch {
    return false;
  }
}

/** Checks a digest as go-digest does; returns it unchanged, throws InvalidParameter otherwise. */
export function validateDigest(s: string): string {
  if (!DIGEST_RE.test(s)) throw invalidParameter('invalid checksum digest format');
  const [algorithm = '', hex = ''] = s.split(':');
  const want = DIGEST_HEX_LENGTH[algorithm];
  if (want === undefined) throw invalidParameter('unsupported digest algorithm');
  if (hex.length !== want) throw invalidParameter('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) throw invalidParameter('invalid checksum digest format');
  return s;
}

/** `domain/path`, the full repository name (`docker.io/library/busybox`). */
export function referenceName(ref: Reference): string {
  return ref.domain ? `${ref.domain}/${ref.path}` : ref.path;
}

/** The full reference: `docker.io/library/busybox:latest`, `host:5000/x@sha256:…`. */
export function referenceString(ref: Reference): string {
  return referenceName(ref) + suffix(ref);
}

/** Docker's `FamiliarName`: drops `docker.io/` and `library/` (`busybox`, `user/app`, `host:5000/x`). */
export function familiarName(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return referenceName(ref);
  const rest = ref.path.slice(OFFICIAL_PREFIX.length);
  return ref.path.startsWith(OFFICIAL_PREFIX) && !rest.includes('/') ? rest : ref.path;
}

/** Docker's `FamiliarString`: the familiar name with tag and digest, as `docker images` prints it. */
export function familiarString(ref: Reference): string {
  return familiarName(ref) + suffix(ref);
}

function suffix(ref: Reference): string {
  return (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}
