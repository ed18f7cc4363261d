import t from 'tap';

import { Slots } from '../../actors/kernel/slots.js';

const tick = () => new Promise((r) => setImmediate(r));

t.test('at most limit holders, the rest served in the order they asked', async (t) => {
  const slots = new Slots(2);
  const order: string[] = [];
  const holders = new Map<string, () => void>();
  for (const name of ['a', 'b', 'c', 'd']) {
    void slots.take().then((release) => {
      order.push(name);
      holders.set(name, release);
    });
  }
  await tick();
  t.same(order, ['a', 'b'], 'two hold, two wait');
  holders.get('b')!();
  await tick();
  t.same(order, ['a', 'b', 'c'], 'a release lets the first waiter in');
  holders.get('b')!(); // a second release of the same slot is ignored
  await tick();
  t.same(order, ['a', 'b', 'c'], 'releasing twice does not free a second slot');
  holders.get('a')!();
  await tick();
  t.same(order, ['a', 'b', 'c', 'd']);
});

t.test('a freed slot goes to a waiter before a newcomer', async (t) => {
  const slots = new Slots(1);
  const release = await slots.take();
  const got: string[] = [];
  void slots.take().then(() => got.push('waiter'));
  release();
  void slots.take().then(() => got.push('newcomer'));
  await tick();
  t.same(got, ['waiter']);
});

t.test('the limit must be at least one', async (t) => {
  t.throws(() => new Slots(0), RangeError);
  t.throws(() => new Slots(Number.NaN), RangeError);
});
