import http from 'node:http';
import type { TestDaemon } from './daemon.js';
import { busyboxRootfsBuffer } from './rootfs-tar.js';

/** What the container helpers use of a daemon: requests on its socket (any test daemon has them). */
type Api = Pick<TestDaemon, 'request' | 'socket'>;

/** Imports the busybox rootfs as image `busybox:latest` into a test daemon; returns its ID. */
export async function importBusybox(d: Api, repo = 'busybox'): Promise<string> {
  const r = await d.request('POST', `/images/create?fromSrc=-&repo=${repo}&tag=latest&changes=${encodeURIComponent('CMD ["sh"]')}`, { body: await busyboxRootfsBuffer() });
  const id = (JSON.parse(r.body.trim()) as { status?: string; error?: string });
  if (!id.status) throw new Error(`import failed: ${r.body}`);
  return id.status;
}

/** Creates a container through the API; returns its ID (throws with the daemon's message). */
export async function createContainer(d: Api, body: Record<string, unknown>, name?: string): Promise<string> {
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

/** Runs a container to its end and removes it; its exit code and output (stdout then stderr). */
export async function runToEnd(d: Api, body: Record<string, unknown>): Promise<{ code: number; out: string }> {
  const id = await createContainer(d, body);
  const started = await d.request('POST', `/containers/${id}/start`);
  if (started.status !== 204) throw new Error(`start: ${started.body}`);
  const { StatusCode } = (await d.request('POST', `/containers/${id}/wait`)).json<{ StatusCode: number }>();
  // Raw bytes: the multiplexed stream is binary.
  const logs = await new Promise<Buffer>((resolve) => http.get({ socketPath: d.socket, path: `/containers/${id}/logs?stdout=1&stderr=1` }, (res) => {
    const c: Buffer[] = [];
    res.on('data', (b: Buffer) => c.push(b)).on('end', () => resolve(Buffer.concat(c)));
  }));
  await d.request('DELETE', `/containers/${id}?force=1`);
  const { stdout, stderr } = demux(logs);
  return { code: StatusCode, out: stdout + stderr };
}
