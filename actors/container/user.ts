import { invalidParameter } from '../../protocol/errdefs.js';
import { readRootfsFile } from './files.js';

/** A resolved `--user`: ids and supplementary groups. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

function table(text: string | null): string[][] {
  return (text ?? '').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
}

/**
 * Resolves `user[:group]` (names or numbers) against the image's /etc/passwd and /etc/group, as
 * dockerd does; a name that does not exist is an error naming it, a number is taken as is.
 */
export function resolveUser(rootfs: string, spec: string): ResolvedUser {
  const passwd = table(readRootfsFile(rootfs, 'etc/passwd'));
  const groups = table(readRootfsFile(rootfs, 'etc/group'));
  const [u = '', g] = (spec || '0').split(':');
  const entry = passwd.find((p) => p[0] === u || (/^\d+$/.test(u) && p[2] === u));
  if (!entry && !/^\d+$/.test(u)) throw invalidParameter(`unable to find user ${u}: no matching entries in passwd file`);
  const uid = entry ? Number(entry[2]) : Number(u);
  let gid = entry ? Number(entry[3]) : 0;
  if (g !== undefined) {
    const ge = groups.find((x) => x[0] === g || (/^\d+$/.test(g) && x[2] === g));
    if (!ge && !/^\d+$/.test(g)) throw invalidParameter(`unable to find group ${g}: no matching entries in group file`);
    gid = ge ? Number(ge[2]) : Number(g);
  }
  const name = entry?.[0];
  const additionalGids = name ? groups.filter((x) => (x[3] ?? '').split(',').includes(name)).map((x) => Number(x[2])).filter((x) => x !== gid) : [];
  return { uid, gid, additionalGids, home: entry?.[5] || '/' };
}
