/**
 * The container's capability set (actors/container/spec.ts): Docker's default, --cap-add / --cap-drop
 * with ALL, --privileged; bounded by what the daemon holds, since capset cannot grant more.
 */
import t from 'tap';

import { boundingSet, CAPABILITY_BITS, capabilitiesOfMask } from '../../drivers/exec/capabilities.js';
import { DEFAULT_CAPS } from '../../drivers/exec/defaults.js';
import { capabilities } from '../../actors/container/spec.js';
import type { ContainerRecord } from '../../actors/services/containers/record.js';

const record = (HostConfig: Partial<ContainerRecord['HostConfig']>) => ({ HostConfig }) as unknown as ContainerRecord;
const all = [...CAPABILITY_BITS];
const withoutResource = all.filter((c) => c !== 'CAP_SYS_RESOURCE');

t.test('status masks', async (t) => {
  t.same(capabilitiesOfMask('1'), ['CAP_CHOWN']);
  t.same(capabilitiesOfMask('000001ffffffffff'), all, 'all 41 bits');
  t.notOk(capabilitiesOfMask('000001fffeffffff').includes('CAP_SYS_RESOURCE'), 'bit 24 is CAP_SYS_RESOURCE');
  t.same(boundingSet('Name:\tnode\nCapBnd:\t0000000000000003\n'), ['CAP_CHOWN', 'CAP_DAC_OVERRIDE']);
  t.same(boundingSet('Name:\tnode\n'), all, 'no CapBnd line: assume all');
});

t.test('default, add, drop', async (t) => {
  t.same(capabilities(record({}), all), DEFAULT_CAPS);
  t.same(capabilities(record({ CapAdd: ['NET_ADMIN'], CapDrop: ['cap_chown'] }), all), [...DEFAULT_CAPS.filter((c) => c !== 'CAP_CHOWN'), 'CAP_NET_ADMIN']);
  t.same(capabilities(record({ CapDrop: ['ALL'], CapAdd: ['NET_BIND_SERVICE'] }), all), ['CAP_NET_BIND_SERVICE'], 'drop ALL keeps only the added');
  t.throws(() => capabilities(record({ CapAdd: ['NOPE'] }), all), { kind: 'InvalidParameter', message: 'invalid CapAdd: unknown capability: "CAP_NOPE"' });
});

t.test('"all" is all the daemon holds; one it lacks is refused by name', async (t) => {
  t.same(capabilities(record({ Privileged: true }), withoutResource), withoutResource);
  t.same(capabilities(record({ CapAdd: ['ALL'] }), withoutResource), withoutResource);
  t.same(capabilities(record({ Privileged: true }), all), all);
  t.throws(() => capabilities(record({ CapAdd: ['SYS_RESOURCE'] }), withoutResource), {
    kind: 'InvalidParameter',
    message: /invalid CapAdd: the daemon does not hold CAP_SYS_RESOURCE/,
  });
  t.same(capabilities(record({}), DEFAULT_CAPS.slice(1)), DEFAULT_CAPS.slice(1), 'a default the daemon lacks is left out, not failed on');
});
