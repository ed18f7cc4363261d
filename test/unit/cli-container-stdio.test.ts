import t from 'tap';
import { PassThrough, Readable, Writable } from 'node:stream';
import { detachKeyBytes } from '../../cli/container/stream.js';
import { DEFAULT_DETACH_KEYS, Demuxer, DetachWatcher, copyOutput, forwardInput, parseDetachKeys } from '../../cli/stdio.js';
import { frame } from '../helpers/cli-container-fake.js';

/** A Writable that keeps what it was given. */
function sink(): Writable & { text(): string } {
  const chunks: Buffer[] = [];
  const w = new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) });
  return Object.assign(w, { text: () => Buffer.concat(chunks).toString('utf8') });
}

t.test('demuxer: frames whatever the chunking, a header split across chunks included', async (t) => {
  const bytes = Buffer.concat([frame(1, 'hello\n'), frame(2, 'oops\n'), frame(1, ''), frame(1, 'bye\n')]);
  for (const size of [1, 3, 7, 8, 9, bytes.length]) {
    const got: string[] = [];
    const d = new Demuxer((stream, payload) => got.push(`${stream}:${payload.toString()}`));
    for (let i = 0; i < bytes.length; i += size) d.push(bytes.subarray(i, i + size));
    t.same(got, ['1:hello\n', '2:oops\n', '1:', '1:bye\n'], `chunks of ${size}`);
    t.equal(d.buffered, 0);
  }
  const d = new Demuxer(() => undefined);
  d.push(frame(1, 'abcdef').subarray(0, 10));
  t.equal(d.buffered, 10, 'an unfinished frame waits');
  t.throws(() => new Demuxer(() => undefined).push(Buffer.from([9, 0, 0, 0, 0, 0, 0, 1, 65])), /Unrecognized input header: 9/);
});

t.test('copyOutput: stdout and stderr frames to their targets, stdin frames to stdout, raw with a TTY', async (t) => {
  const out = sink();
  const err = sink();
  await copyOutput(Readable.from([Buffer.concat([frame(1, 'a'), frame(2, 'b')]), frame(0, 'c')]), false, { stdout: out, stderr: err });
  t.equal(out.text(), 'ac');
  t.equal(err.text(), 'b');
  const raw = sink();
  await copyOutput(Readable.from([frame(1, 'x')]), true, { stdout: raw, stderr: null });
  t.equal(raw.text(), frame(1, 'x').toString(), 'a TTY stream is passed on untouched');
  const only = sink();
  await copyOutput(Readable.from([Buffer.concat([frame(1, 'keep'), frame(2, 'drop')])]), false, { stdout: only, stderr: null });
  t.equal(only.text(), 'keep', 'a null target drops its stream');
  await t.rejects(copyOutput(Readable.from([frame(3, 'daemon says no')]), false, { stdout: sink(), stderr: sink() }), /daemon says no/);
});

t.test('detach keys: docker spellings, the default, a sequence across chunks, false starts', async (t) => {
  t.same([...parseDetachKeys('ctrl-p,ctrl-q')!], [0x10, 0x11]);
  t.same([...parseDetachKeys('a,ctrl-@,ctrl-[')!], [0x61, 0, 0x1b]);
  t.equal(parseDetachKeys('ctrl-pp'), undefined);
  t.equal(parseDetachKeys('shift-a'), undefined);
  t.same(detachKeyBytes(undefined), DEFAULT_DETACH_KEYS);
  const w = new DetachWatcher(DEFAULT_DETACH_KEYS);
  t.notOk(w.feed(Buffer.from('ls\x10')));
  t.ok(w.feed(Buffer.from('\x11')), 'ctrl-p in one chunk, ctrl-q in the next');
  const again = new DetachWatcher(DEFAULT_DETACH_KEYS);
  t.notOk(again.feed(Buffer.from('\x10x\x11')), 'another key in between breaks the sequence');
  t.ok(again.feed(Buffer.from('\x10\x10\x11')), 'a repeated first key still starts it');
});

t.test('forwardInput: copies, half-closes at the end of input, stops after the detach keys', async (t) => {
  const conn = new PassThrough();
  const got: Buffer[] = [];
  conn.on('data', (c: Buffer) => got.push(c));
  t.equal(await forwardInput(Readable.from([Buffer.from('one\n'), 'two\n']), conn), 'ended');
  t.ok(conn.writableEnded, 'the write side is ended (half-close)');
  t.equal(Buffer.concat(got).toString(), 'one\ntwo\n');
  const tty = new PassThrough();
  tty.resume();
  const input = Readable.from([Buffer.from('echo\r'), Buffer.from('\x10\x11'), Buffer.from('never')]);
  t.equal(await forwardInput(input, tty, new DetachWatcher(DEFAULT_DETACH_KEYS)), 'detached');
  t.notOk(tty.writableEnded, 'a detach leaves the connection for the daemon to close');
});
