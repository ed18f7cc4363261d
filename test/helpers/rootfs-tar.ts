import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';

/** The applets test images link to busybox. */
export const APPLETS = ['sh', 'echo', 'cat', 'ls', 'sleep', 'true', 'false', 'id', 'hostname', 'ps', 'env', 'kill', 'wget', 'nc', 'httpd', 'mkdir', 'rm', 'touch', 'dd', 'seq', 'head', 'tail', 'grep', 'tr', 'wc', 'sort', 'cut', 'date', 'uname', 'whoami', 'chmod', 'ln', 'cp', 'mv', 'ping', 'top', 'mount'];

/**
 * A minimal busybox root filesystem as a tar stream, built at test time from Debian's static busybox:
 * bin/busybox, its applets as symlinks, etc/passwd and etc/group. `extra` adds files.
 */
export function busyboxRootfsTar(extra: Record<string, string> = {}): Readable {
  const p = pack();
  p.entry({ name: 'bin/', type: 'directory', mode: 0o755 });
  p.entry({ name: 'etc/', type: 'directory', mode: 0o755 });
  p.entry({ name: 'tmp/', type: 'directory', mode: 0o1777 });
  p.entry({ name: 'bin/busybox', mode: 0o755 }, readFileSync('/bin/busybox'));
  for (const a of APPLETS) p.entry({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' });
  p.entry({ name: 'etc/passwd', mode: 0o644 }, 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  p.entry({ name: 'etc/group', mode: 0o644 }, 'root:x:0:\nnogroup:x:65534:\n');
  for (const [name, body] of Object.entries(extra)) p.entry({ name, mode: 0o644 }, body);
  p.finalize();
  return p as unknown as Readable;
}

/** The same tarball as one Buffer (for clients that want a body, not a stream). */
export async function busyboxRootfsBuffer(extra: Record<string, string> = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of busyboxRootfsTar(extra)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
