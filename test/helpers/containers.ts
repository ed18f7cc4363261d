import type { TestDaemon } from './daemon.js';
import { busyboxRootfsBuffer } from './rootfs-tar.js';

/** Imports the busybox rootfs as image `busybox:latest` into a test daemon; returns its ID. */
export async function importBusybox(d: TestDaemon, repo = 'busybox'): Promise<string> {
  const r = await d.request('POST', `/images/create?fromSrc=-&repo=${repo}&tag=latest&changes=${encodeURIComponent('CMD ["sh"]')}`, { body: await busyboxRootfsBuffer() });
  const id = (JSON.parse(r.body.trim()) as { status?: string; error?: string });
  if (!id.status) throw new Error(`import failed: ${r.body}`);
  return id.status;
}

/** Creates a container through the API; returns its ID (throws with the daemon's message). */
export async function createContainer(d: TestDaemon, body: Record<string, unknown>, name?: string): Promise<string> {
  const r = await d.request('POST', `/containers/create${name ? `?name=${name}` : ''}`, { body: JSON.stringify({ Image: 'busybox', ...body }), headers: { 'content-type': 'application/json' } });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${r.body}`);
  return r.json<{ Id: string }>().Id;
}

/** Splits Docker's multiplexed stream into stdout and stderr text. */
export function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  for (let i = 0; i + 8 <= buf.length; ) {
    const len = buf.readUInt32BE(i + 4);
    const text = buf.subarray(i + 8, i + 8 + len).toString('utf8');
    if (buf[i] === 2) out.stderr += text;
    else out.stdout += text;
    i += 8 + len;
  }
  return out;
}
