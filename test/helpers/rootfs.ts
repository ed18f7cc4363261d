/**
 * A container rootfs built at test time from Debian's static busybox: bin/busybox with the usual
 * applets as symlinks, the mount points a container needs, and etc/passwd, etc/group.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where Debian's busybox-static installs the binary. */
export const BUSYBOX = '/bin/busybox';

/** The applets linked into bin/. */
export const APPLETS = [
  'sh', 'echo', 'cat', 'sleep', 'hostname', 'ps', 'id', 'ls', 'true', 'false', 'kill', 'mount', 'readlink',
  'head', 'tail', 'grep', 'wc', 'dd', 'yes', 'tty', 'stat', 'touch', 'mkdir', 'rm', 'env', 'pwd', 'test', '[', 'stty', 'printf',
];

/** Why a busybox rootfs cannot be built here, or false when it can. */
export function busyboxMissing(): false | string {
  return existsSync(BUSYBOX) ? false : `needs ${BUSYBOX} (apt-get install busybox-static)`;
}

/** Lays out a busybox rootfs in `dir` (created if missing) and returns it. */
export function buildRootfs(dir: string): string {
  for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'home']) mkdirSync(path.join(dir, d), { recursive: true });
  copyFileSync(BUSYBOX, path.join(dir, 'bin', 'busybox'));
  for (const a of APPLETS) symlinkSync('busybox', path.join(dir, 'bin', a));
  writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n');
  return dir;
}

/** A busybox rootfs in a new tmp dir, and the function that removes it. */
export function tmpRootfs(prefix = 'berth-rootfs-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  buildRootfs(dir);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
