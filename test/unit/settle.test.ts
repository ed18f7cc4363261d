import t from 'tap';
import { allSettledOrFirstError } from '../../drivers/settle.js';

const later = <T>(ms: number, v: T, fail = false) => new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(v))) : resolve(v)), ms));

t.test('resolves to every value, in order', async (t) => {
  t.same(await allSettledOrFirstError([later(5, 'a'), later(1, 2)] as const), ['a', 2]);
});

t.test('fails only once every promise has settled, with the first failure in the order given', async (t) => {
  let slowDone = false;
  const slow = later(20, 'slow').then((v) => ((slowDone = true), v));
  const err = await allSettledOrFirstError([later(10, 'second', true), later(1, 'third', true), slow]).catch((e: Error) => e);
  t.equal((err as Error).message, 'second');
  t.ok(slowDone, 'the slow step had finished before the failure came out');
});
