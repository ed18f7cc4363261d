import { invalidParameter, notFound } from '../../../protocol/errdefs.js';
import { familiarString, parseNormalizedNamed, referenceString, withDefaultTag } from '../../../protocol/reference.js';
import type { GraphDB, ImageRecord } from './graphdb.js';

/** How a name given by a client resolved: to an image, and through which reference if any. */
export interface Resolved {
  image: ImageRecord;
  /** The normalized reference the name was, when it was one (not an ID). */
  ref?: string;
}

const FULL_ID = /^(sha256:)?[0-9a-f]{64}$/;
const SHORT_ID = /^[0-9a-f]{1,64}$/;

/** A normalized reference string for a name, with `latest` when it has neither tag nor digest. */
export function normalizeRef(name: string): string {
  return referenceString(withDefaultTag(parseNormalizedNamed(name)));
}

/** The familiar form of a normalized reference (`docker.io/library/busybox:latest` → `busybox:latest`). */
export function familiarRef(ref: string): string {
  return familiarString(parseNormalizedNamed(ref));
}

/**
 * Resolves an image name as dockerd does: a full ID, a reference (default tag `latest`), or a unique
 * ID prefix. NotFound is `No such image: <name>`, as the docker CLI expects to pull on it.
 */
export async function resolveImage(db: GraphDB, name: string): Promise<Resolved> {
  if (FULL_ID.test(name)) {
    const id = name.startsWith('sha256:') ? name : `sha256:${name}`;
    const image = await db.image(id);
    if (image) return { image };
  }
  let ref: string | undefined;
  try {
    ref = normalizeRef(name);
  } catch (err) {
    if (!SHORT_ID.test(name)) throw err;
  }
  const byRef = ref && (await db.resolve(ref));
  if (byRef) return { image: (await db.image(byRef))!, ref };
  if (SHORT_ID.test(name) && name.length >= 1) {
    const ids = await db.imagesByPrefix(name);
    if (ids.length > 1) throw invalidParameter(`ambiguous image ID prefix ${name}: ${ids.length} images match`);
    if (ids.length === 1) return { image: (await db.image(ids[0]!))! };
  }
  throw notFound(`No such image: ${name}`);
}
