/**
 * spawnCollect: the addon runs a program to its end with posix_spawn on a pool thread (how the
 * daemon starts each container's shim) and hands back its exit and output.
 */
import { existsSync } from 'node:fs';
import t from 'tap';

import { loadNative, nativeAddonPath } from '../../drivers/native/addon.js';

t.test('spawnCollect', { skip: existsSync(nativeAddonPath()) ? false : 'the addon is not built' }, async (t) => {
  const native = loadNative();

  t.test('exit code, stdout and stderr', async (t) => {
    const r = await native.spawnCollect('/bin/sh', ['-c', 'echo out; echo err >&2; exit 3']);
    t.same(r, { code: 3, signal: null, stdout: 'out\n', stderr: 'err\n' });
  });

  t.test('a signal instead of a code', async (t) => {
    const r = await native.spawnCollect('/bin/sh', ['-c', 'kill -TERM $$']);
    t.equal(r.code, null);
    t.equal(r.signal, 15);
  });

  t.test("argv0, variables added to the daemon's, stdin /dev/null, a process group of its own", async (t) => {
    process.env.BERTH_TEST_INHERITED = 'yes';
    t.teardown(() => delete process.env.BERTH_TEST_INHERITED);
    const script = 'echo "$0 $EXTRA $BERTH_TEST_INHERITED"; cat; ps -o pgid= -p $$ | tr -d " "; echo $$';
    const r = await native.spawnCollect('/bin/sh', ['-c', script], { argv0: 'shown', env: { EXTRA: 'added' } });
    t.equal(r.code, 0, r.stderr);
    const [line, pgid, pid] = r.stdout.trim().split('\n');
    t.equal(line, 'shown added yes', 'the shell\'s $0 is the argv0 given; a variable added, one inherited');
    t.equal(pgid, pid, 'it leads its own process group');
  });

  t.test('a program that cannot run is a SystemError naming it', async (t) => {
    await t.rejects(native.spawnCollect('/nonexistent/berth-x', []), { code: 'ENOENT', syscall: 'posix_spawn', message: /berth-x/ });
  });
});
