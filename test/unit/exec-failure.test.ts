/**
 * A process that could not be run: dockerd's words, exit codes and error kinds decided from the
 * runtime's errno and step (actors/container/exec-failure.ts), and the helper's failure data read
 * from its answers and its report (drivers/exec/helper-failure.ts), across an actor reply too.
 */
import t from 'tap';
import { commandFailure } from '../../actors/container/exec-failure.js';
import { answerError } from '../../drivers/exec/shim-client.js';
import { reportError } from '../../drivers/exec/helper-failure.js';
import { BerthError, errorData, fromErrorData, system, type SyscallFailure } from '../../protocol/errdefs.js';

const START = 'failed to create task for container: ';
const failed = (message: string, failure?: SyscallFailure) => new BerthError('System', message, failure && { failure });

t.test('the exec step: runc words, 127 / 126, InvalidParameter', async (t) => {
  const bare = commandFailure(failed('exec "nosuch": No such file or directory', { step: 'exec', errno: 2, path: 'nosuch' }), START, 128);
  t.equal(bare.message, 'failed to create task for container: exec: "nosuch": executable file not found in $PATH: unknown');
  t.equal(bare.exitCode, 127);
  t.equal(bare.error.kind, 'InvalidParameter');
  const slash = commandFailure(failed('x', { step: 'exec', errno: 2, path: '/bin/nosuch' }), START, 128);
  t.equal(slash.message, 'failed to create task for container: exec: "/bin/nosuch": stat /bin/nosuch: no such file or directory: unknown');
  const denied = commandFailure(failed('x', { step: 'exec', errno: 13, path: '/etc/passwd' }), START, 128);
  t.equal(denied.message, 'failed to create task for container: exec: "/etc/passwd": permission denied: unknown');
  t.equal(denied.exitCode, 126);
  const format = commandFailure(failed('exec "/x": Exec format error', { step: 'exec', errno: 8, path: '/x' }), START, 128);
  t.same([format.message, format.exitCode, format.error.kind], ['exec "/x": Exec format error', 126, 'InvalidParameter'], 'no runc words, still cannot invoke');
});

t.test('setup failures keep their words and kind, whatever the text says', async (t) => {
  const err = failed('mount /data to /mnt: No such file or directory', { step: 'setup', errno: 2 });
  const f = commandFailure(err, START, 128);
  t.same([f.message, f.exitCode], ['mount /data to /mnt: No such file or directory', 128]);
  t.equal(f.error, err);
  const words = commandFailure(system('executable file not found: permission denied'), START, 128);
  t.same([words.exitCode, words.error.kind], [128, 'System'], 'text alone decides nothing');
});

t.test('the helper answer and report carry errno, step and path', async (t) => {
  const a = answerError({ ok: false, kind: 'System', error: 'exec "x": No such file or directory', errno: 2, step: 'exec', path: 'x' }, 'start');
  t.same(a.failure, { step: 'exec', errno: 2, path: 'x' });
  t.equal(answerError({ ok: false, kind: 'Conflict', error: 'not running' }, 'start').failure, undefined, 'an older shim: no failure');
  const r = reportError('{"message":"mount proc to /proc: Operation not permitted","errno":1,"step":"setup"}\n', 'fallback');
  t.same([r.kind, r.message, r.failure], ['System', 'mount proc to /proc: Operation not permitted', { step: 'setup', errno: 1 }]);
  t.equal(reportError('load spec: bad\n', 'fallback').message, 'load spec: bad', 'the old text format');
  t.equal(reportError('', 'fallback').message, 'fallback');
});

t.test('the failure survives an actor reply', async (t) => {
  const back = fromErrorData(errorData(failed('m', { step: 'exec', errno: 13, path: 'p' })));
  t.same([back.kind, back.message, back.failure], ['System', 'm', { step: 'exec', errno: 13, path: 'p' }]);
  t.same(errorData(new Error('plain')), { kind: 'System', message: 'plain' });
});
