/** The network backend conformance suite on the in-memory fake (no root needed). */
import t from 'tap';

import { FakeBackend, FakeKernel } from '../../drivers/network/fake.js';
import { networkBackendConformance } from './networkdriver.js';

let n = 0;
let kernel = new FakeKernel();
networkBackendConformance(t, {
  backend: async () => new FakeBackend((kernel = new FakeKernel())),
  netns: async () => {
    const path = `/fake/ns/${++n}`;
    return { ref: { path }, kill: async () => kernel.killNetns(path) };
  },
  inside: async (ref, name) => {
    const path = 'path' in ref ? ref.path : `/proc/${ref.pid}/ns/net`;
    const l = kernel.inNetns(path).find((x) => x.name === name);
    return l ? { mac: l.mac, up: l.up, addresses: l.addresses } : null;
  },
  bridge: () => ({ name: `berthf${++n}`, subnet: '10.198.0.0/24', gateway: '10.198.0.1' }),
  occupy: async (_t, proto, port) => kernel.occupy(proto, '', port),
});
