/**
 * applyLayer streams: a file's first bytes reach the disk while the producer has not yet sent the
 * rest. A layer buffered whole would never get there, and the producer gives up with an error.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import t from 'tap';
import tar from 'tar-stream';

import { applyLayer } from '../../drivers/graph/apply.js';
import { NodeFileOps } from '../../drivers/graph/fileops.js';

const MB = 1024 * 1024;
const SIZE = 64 * MB;

async function waitForBytes(file: string, min: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const st = await fsp.stat(file).catch(() => null);
    if (st && st.size >= min) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not streaming: ${file} did not reach ${min} bytes while the layer was still arriving`);
}

t.test('a 64 MiB entry is written while it arrives', async (t) => {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-stream-'));
  t.teardown(() => fsp.rm(root, { recursive: true, force: true }));
  const target = path.join(root, 'big');
  const content = async function* () {
    for (let sent = 0; sent < SIZE; sent += MB) {
      if (sent === SIZE / 2) await waitForBytes(target, MB, 10_000); // hold back the second half
      yield Buffer.alloc(MB, sent / MB);
    }
  };
  const pack = tar.pack();
  const entry = pack.entry({ name: 'big', size: SIZE }, (err) => (err ? pack.destroy(err) : pack.finalize()));
  Readable.from(content()).on('error', (err) => pack.destroy(err)).pipe(entry as unknown as NodeJS.WritableStream);
  const { size } = await applyLayer(root, Readable.from(pack as unknown as AsyncIterable<Buffer>), {
    whiteouts: 'delete',
    fileOps: new NodeFileOps({ privileged: false }),
  });
  t.equal(size, SIZE);
  t.equal((await fsp.stat(target)).size, SIZE);
});
