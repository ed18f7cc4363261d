/** Entry-name cleaning and the per-layer lock. */
import t from 'tap';

import { KeyedLock } from '../../drivers/graph/lock.js';
import { entryParts } from '../../drivers/graph/paths.js';
import { kindOf } from '../../protocol/errdefs.js';

t.test('entry names become components under the root', async (t) => {
  const cases: [string, string[]][] = [
    ['etc/passwd', ['etc', 'passwd']],
    ['./etc//passwd', ['etc', 'passwd']],
    ['/etc/passwd', ['etc', 'passwd']],
    ['etc/', ['etc']],
    ['./', []],
    ['a/b/../c', ['a', 'c']],
    ['a/..', []],
    ['..foo/.bar', ['..foo', '.bar']],
  ];
  for (const [name, parts] of cases) t.same(entryParts(name), parts, JSON.stringify(name));
  for (const bad of ['..', '../x', 'a/../../x', '/..', 'x\0y']) {
    t.equal(kindOf(t.throws(() => entryParts(bad))), 'InvalidParameter', `${JSON.stringify(bad)} is refused`);
  }
});

t.test('the lock runs one call per key at a time, in order, and forgets idle keys', async (t) => {
  const lock = new KeyedLock();
  const log: string[] = [];
  const step = (name: string, ms: number, fail = false) => lock.run('k', async () => {
    log.push(`start ${name}`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`end ${name}`);
    if (fail) throw new Error(name);
    return name;
  });
  const other = lock.run('other', async () => log.push('other'));
  const results = await Promise.allSettled([step('a', 20), step('b', 1, true), step('c', 1)]);
  await other;
  t.same(log.filter((l) => l !== 'other'), ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'], 'a failure does not block the queue');
  t.ok(log.indexOf('other') < log.indexOf('end a'), 'other keys do not wait');
  await new Promise((r) => setImmediate(r));
  t.equal((lock as unknown as { tails: Map<string, unknown> }).tails.size, 0, 'no keys kept once idle');
});
