/**
 * The network backend conformance suite on the native backend (root). Everything it builds lives in
 * a throwaway network namespace standing for the host (`hostNetns`): bridges, veths, the nft table.
 * Only the host-port case uses the real host, and only to bind sockets. Nothing survives the run.
 */
import net from 'node:net';
import t from 'tap';

import { NativeBackend } from '../../drivers/network/native.js';
import { loadNative } from '../../drivers/native/addon.js';
import { probes } from '../helpers/probes.js';
import { netnsChild } from './networkdriver-netns.js';
import { networkBackendConformance } from './networkdriver.js';

const skip = probes.root();
if (skip) {
  t.pass(`skipped: ${skip}`);
} else {
  const native = loadNative();
  const sandbox = await netnsChild(t);
  let n = 0;
  networkBackendConformance(t, {
    backend: async () => new NativeBackend({ hostNetns: sandbox.path }),
    portsBackend: async () => new NativeBackend(),
    netns: async (t) => {
      const child = await netnsChild(t);
      return { ref: { pid: child.pid }, kill: () => child.kill() };
    },
    inside: async (ref, name) => {
      const netns = 'path' in ref ? ref.path : `/proc/${ref.pid}/ns/net`;
      const l = native.linkGet(name, { netns });
      if (!l) return null;
      return { mac: l.mac, up: l.up, addresses: native.addressList(name, { netns }).map((a) => `${a.address}/${a.prefixLen}`) };
    },
    bridge: () => {
      n++;
      return { name: `berthc${process.pid % 1000}x${n}`, subnet: `10.198.${n}.0/24`, gateway: `10.198.${n}.1` };
    },
    occupy: async (t, _proto, port) => {
      const server = net.createServer();
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
      t.teardown(() => new Promise<void>((r) => server.close(() => r())));
    },
  });
}
