/**
 * The backing filesystem's name for `docker info` (Docker's DriverStatus "Backing Filesystem"),
 * read from statfs's magic number with the names Docker prints.
 */
import { statfsSync } from 'node:fs';

const NAMES = new Map<number, string>([
  [0xef53, 'extfs'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs'],
  [0x794c7630, 'overlayfs'],
  [0x2fc12fc1, 'zfs'],
  [0x6969, 'nfs'],
  [0xf2f52010, 'f2fs'],
]);

/** "extfs", "xfs", … for the filesystem holding `dir`; "<unknown>" when the magic is not known. */
export function backingFilesystem(dir: string): string {
  try {
    return NAMES.get(statfsSync(dir).type) ?? '<unknown>';
  } catch {
    return '<unknown>';
  }
}
