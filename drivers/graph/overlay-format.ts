/**
 * How overlayfs marks deletions in an upper dir, shared by the code that writes them (apply), reads
 * them (changes, diff) and must never take them from a layer (xattrs in tarballs).
 */
import type { Stats } from 'node:fs';

/** The xattr overlayfs reads to hide everything below a directory. */
export const OPAQUE_XATTR = 'trusted.overlay.opaque';

/** An overlay whiteout: a character device 0/0. */
export function isWhiteoutDevice(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** overlayfs's own bookkeeping (opaque, redirect, origin, …): never layer content. */
export function isOverlayXattr(name: string): boolean {
  return /^(trusted|user)\.overlay\./.test(name);
}
