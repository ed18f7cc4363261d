/**
 * --privileged and --cap-add ALL on the native runtime: the container gets every capability the
 * daemon holds (its bounding set), so they work on hosts whose bounding set lacks some (this CI
 * machine has no CAP_SYS_RESOURCE); one asked for by name that the daemon lacks is a 400 at create.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';

import { boundingSet, capabilitiesOfMask } from '../../drivers/exec/capabilities.js';
import { nativeMissing } from '../conformance/execdriver-native-fixture.js';
import { createContainer, demux, importBusybox } from '../helpers/containers.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

/** Runs `grep CapEff /proc/self/status` in a container made with `host` settings; its capabilities. */
async function effective(d: TestDaemon, name: string, host: Record<string, unknown>): Promise<string[]> {
  await createContainer(d, { Cmd: ['grep', 'CapEff', '/proc/self/status'], HostConfig: { NetworkMode: 'none', ...host } }, name);
  const s = await d.request('POST', `/containers/${name}/start`);
  if (s.status !== 204) throw new Error(`start ${name}: ${s.status} ${s.body}`);
  await d.request('POST', `/containers/${name}/wait`);
  const out = demux(Buffer.from((await d.request('GET', `/containers/${name}/logs?stdout=1`)).body, 'latin1')).stdout;
  return capabilitiesOfMask(/CapEff:\s*([0-9a-f]+)/.exec(out)?.[1] ?? '0');
}

const create = (d: TestDaemon, HostConfig: Record<string, unknown>) =>
  d.request('POST', '/containers/create', { body: JSON.stringify({ Image: 'busybox', HostConfig }), headers: { 'content-type': 'application/json' } });

t.test('all capabilities are the daemon\'s', { skip: nativeMissing() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.close());
  await importBusybox(d);
  const held = boundingSet(readFileSync('/proc/self/status', 'utf8'));

  t.same(await effective(d, 'priv', { Privileged: true }), held, '--privileged: every capability the daemon holds');
  t.same(await effective(d, 'capall', { CapAdd: ['ALL'] }), held, '--cap-add ALL: the same');
  const some = await effective(d, 'some', { CapDrop: ['ALL'], CapAdd: ['CHOWN', 'KILL'] });
  t.same(some, ['CAP_CHOWN', 'CAP_KILL'], '--cap-drop ALL --cap-add CHOWN,KILL');

  const bad = await create(d, { CapAdd: ['FLY'] });
  t.equal(bad.status, 400);
  t.match(bad.json<{ message: string }>().message, 'invalid CapAdd: unknown capability: "CAP_FLY"');
  const lacking = ['CAP_SYS_RESOURCE', 'CAP_SYS_MODULE', 'CAP_MAC_ADMIN'].find((c) => !held.includes(c));
  if (!lacking) return t.comment('the daemon holds every capability tried: nothing to refuse here');
  const refused = await create(d, { CapAdd: [lacking] });
  t.equal(refused.status, 400, `${lacking}, which the daemon lacks, is refused at create`);
  t.match(refused.json<{ message: string }>().message, `the daemon does not hold ${lacking}`);
});
