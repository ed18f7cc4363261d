/**
 * FileOps for layer tests. Real xattrs come from the native addon when it has them; until then from
 * one long-lived python3 process (os.setxattr / os.listxattr on the real filesystem), so xattr and
 * overlay-opaque tests exercise the kernel rather than a map. Without python3, xattrs are off and
 * the tests that need them skip.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

import { NodeFileOps, type XattrCalls } from '../../drivers/graph/fileops.js';
import { nativeMknod, nativeXattrs } from '../../drivers/graph/native.js';

const SERVER = `
import base64, errno, json, os, sys
for line in sys.stdin:
    req = json.loads(line)
    try:
        if req["op"] == "set":
            os.setxattr(req["path"], req["name"], base64.b64decode(req["value"]), follow_symlinks=False)
            out = None
        else:
            names = os.listxattr(req["path"], follow_symlinks=False)
            out = {n: base64.b64encode(os.getxattr(req["path"], n, follow_symlinks=False)).decode() for n in names}
        print(json.dumps({"ok": out}), flush=True)
    except OSError as e:
        print(json.dumps({"err": e.strerror, "code": errno.errorcode.get(e.errno, "EIO")}), flush=True)
`;

type Reply = { ok?: Record<string, string> | null; err?: string; code?: string };

/** xattr calls answered by a python3 child; `close()` ends it. */
export class PythonXattrs implements XattrCalls {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((reply: Reply) => void)[] = [];

  constructor() {
    this.child = spawn('python3', ['-c', SERVER], { stdio: 'pipe' });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.(JSON.parse(line) as Reply));
  }

  private async ask(req: object, what: string): Promise<Reply> {
    const reply = await new Promise<Reply>((resolve) => {
      this.waiting.push(resolve); // python answers in request order
      this.child.stdin.write(`${JSON.stringify(req)}\n`);
    });
    // Shaped like the addon's errors: callers look at `code`.
    if (reply.err !== undefined) throw Object.assign(new Error(`${what}: ${reply.err}`), { code: reply.code });
    return reply;
  }

  async lsetxattr(path: string, name: string, value: Buffer): Promise<void> {
    await this.ask({ op: 'set', path, name, value: value.toString('base64') }, `lsetxattr ${name} ${path}`);
  }

  async lgetxattrs(path: string): Promise<Map<string, Buffer>> {
    const { ok } = await this.ask({ op: 'get', path }, `lgetxattrs ${path}`);
    return new Map(Object.entries(ok ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  }

  /** Ends the python process (stdin closes, it exits). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}

/** Test FileOps and what they can do; call `close()` in teardown. */
export interface TestFileOps {
  ops: NodeFileOps;
  /** Where xattrs come from: "native", "python3" or "none". */
  xattrSource: string;
  close(): Promise<void>;
}

const hasPython = () => spawnSync('python3', ['-c', 'import os; os.setxattr'], { stdio: 'ignore' }).status === 0;

/**
 * FileOps for tests: root privileges as the process has them, the best xattr source available.
 * BERTH_TEST_XATTRS=python3 forces the python source (to test it where the addon has xattrs).
 */
export function testFileOps(): TestFileOps {
  const native = process.env.BERTH_TEST_XATTRS === 'python3' ? null : nativeXattrs();
  if (native) return { ops: new NodeFileOps({ xattr: native, mknod: nativeMknod() }), xattrSource: 'native', close: async () => {} };
  if (!hasPython()) return { ops: new NodeFileOps({ mknod: nativeMknod() }), xattrSource: 'none', close: async () => {} };
  const py = new PythonXattrs();
  return { ops: new NodeFileOps({ xattr: py, mknod: nativeMknod() }), xattrSource: 'python3', close: () => py.close() };
}
