/** A generated container name that is taken is drawn again, as dockerd does; a chosen one is not. */
import t from 'tap';
import { addRecord } from '../../actors/container/create.js';
import type { EngineContext } from '../../actors/context.js';
import type { ContainerRecord } from '../../actors/services/containers/record.js';
import { conflict, kindOf } from '../../protocol/errdefs.js';

/** A context whose containers service refuses the first `taken` names it is given. */
function rig(taken: number) {
  const tried: string[] = [];
  const ctx = {
    call: async (_service: string, _method: string, [r]: [ContainerRecord]) => {
      tried.push(r.Name);
      if (tried.length <= taken) throw conflict(`Conflict. The container name "${r.Name}" is already in use`);
    },
  } as unknown as EngineContext;
  return { ctx, tried };
}

const record = { Id: 'c1', Name: '/bold_hopper' } as ContainerRecord;

t.test('a taken generated name is drawn again, with a digit after the first retry', async (t) => {
  const { ctx, tried } = rig(2);
  const r = await addRecord(ctx, record, false);
  t.equal(tried.length, 3);
  t.equal(tried[0], '/bold_hopper');
  t.match(tried[2], /^\/[a-z]+_[a-z]+\d$/);
  t.equal(r.Name, tried[2], 'the record carries the name it got');
});

t.test('a chosen name is not changed: the Conflict goes to the client', async (t) => {
  const { ctx, tried } = rig(1);
  t.equal(kindOf(await addRecord(ctx, record, true).catch((e: unknown) => e)), 'Conflict');
  t.same(tried, ['/bold_hopper']);
});

t.test("after dockerd's number of retries, the Conflict goes out", async (t) => {
  const { ctx, tried } = rig(100);
  t.equal(kindOf(await addRecord(ctx, record, false).catch((e: unknown) => e)), 'Conflict');
  t.equal(tried.length, 6);
});
