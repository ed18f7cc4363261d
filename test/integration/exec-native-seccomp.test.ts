/**
 * Docker's default seccomp profile on the native runtime, with busybox: everyday commands run; what
 * the allowlist leaves out fails with EPERM even when the capability is held (the filter, not the
 * capability set, refuses it) and works once the profile is resolved for that capability;
 * unconfined lifts the filter; a custom JSON profile applies; /proc/self/status tells which.
 */
import t from 'tap';

import type { ExitStatus } from '../../drivers/exec/backend.js';
import { readJsonLog } from '../../drivers/exec/jsonlog.js';
import { DEFAULT_CAPS, defaultSeccomp } from '../../drivers/exec/defaults.js';
import { DOCKER_DEFAULT_PROFILE } from '../../drivers/exec/seccomp/default-profile.js';
import { parseSeccompProfile } from '../../drivers/exec/seccomp/profile.js';
import { resolveSeccomp } from '../../drivers/exec/seccomp/resolve.js';
import type { OciSeccomp, OciSpec } from '../../drivers/exec/spec.js';
import { startDriver, type DriverHandle } from '../conformance/execdriver.js';
import { nativeFixture, nativeMissing, type NativeFixture } from '../conformance/execdriver-native-fixture.js';

const ADMIN_CAPS = [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'];
let seq = 0;

/** Runs `sh -c script` with these capabilities and this profile (undefined: unconfined) to its end. */
async function run(d: DriverHandle, fx: NativeFixture, script: string, caps: string[], seccomp: OciSeccomp | undefined) {
  const spec: OciSpec = fx.spec(script);
  spec.process.capabilities = { bounding: caps, effective: caps, permitted: caps };
  if (seccomp) spec.linux!.seccomp = seccomp;
  else delete spec.linux!.seccomp;
  const id = `seccomp${++seq}`;
  const paths = fx.paths(id);
  await d.call({ type: 'exec.create', id, spec, paths });
  await d.call({ type: 'exec.start', id });
  const exit = await d.call<ExitStatus>({ type: 'exec.wait', id });
  const log = readJsonLog(paths.log);
  await d.call({ type: 'exec.clean', id });
  const of = (s: string) => log.filter((e) => e.stream === s).map((e) => e.log).join('');
  return { code: exit.exitCode, out: of('stdout'), err: of('stderr') };
}

t.test('Docker\'s default seccomp profile on the native runtime', { skip: nativeMissing() }, async (t) => {
  const fx = nativeFixture(t);
  const d = startDriver(fx.backend());
  t.teardown(() => d.stop());
  const defaults = defaultSeccomp(DEFAULT_CAPS);

  t.test('everyday commands work under the allowlist', async (t) => {
    const script = [
      'grep -E "^Seccomp:" /proc/self/status', 'ls / | grep -c .', 'cat /etc/passwd | head -1', 'ps -o pid,comm | grep -c ps',
      'sleep 0.1', 'linux32 true && echo linux32-ok',
      'ip link set lo up; timeout 3 nc -l -p 1234 > /tmp/got & for i in 1 2 3 4 5 6 7 8 9 10; do echo through-nc | nc 127.0.0.1 1234 2>/dev/null && break; sleep 0.2; done; wait; cat /tmp/got',
      'echo done',
    ].join('; ');
    // CAP_NET_ADMIN to bring up lo for nc; the profile has no rule that depends on it.
    const caps = [...DEFAULT_CAPS, 'CAP_NET_ADMIN'];
    const r = await run(d, fx, script, caps, defaultSeccomp(caps));
    t.match(r.out, /^Seccomp:\s+2\n/, 'filter mode');
    t.match(r.out, /^root:/m, 'cat');
    t.match(r.out, /linux32-ok/, 'personality(PER_LINUX32) is allowed');
    t.match(r.out, /through-nc\n/, 'nc listens, accepts and reads');
    t.match(r.out, /done\n$/, `ran to the end: ${r.err}`);
    t.notMatch(r.err, /Operation not permitted|Function not implemented/, 'nothing refused');
  });

  t.test('mount: refused by the filter despite CAP_SYS_ADMIN, allowed when the profile is resolved for it', async (t) => {
    const script = 'mkdir -p /mnt/t; mount -t tmpfs none /mnt/t && echo mounted; unshare -m true && echo unshared; exit 0';
    const denied = await run(d, fx, script, ADMIN_CAPS, defaults);
    t.match(denied.err, /mount: permission denied/, 'busybox words EPERM from mount(2) so');
    t.match(denied.err, /unshare: unshare\(0x20000\): Operation not permitted/);
    t.notMatch(denied.out, /mounted|unshared/);
    const allowed = await run(d, fx, script, ADMIN_CAPS, defaultSeccomp(ADMIN_CAPS));
    t.equal(allowed.out, 'mounted\nunshared\n', allowed.err);
  });

  t.test('a user namespace needs no capability, only the filter stands in the way', async (t) => {
    const script = 'unshare -U true && echo userns-ok; exit 0';
    const denied = await run(d, fx, script, DEFAULT_CAPS, defaults);
    t.match(denied.err, /Operation not permitted/);
    const unconfined = await run(d, fx, `grep -E "^Seccomp:" /proc/self/status; ${script}`, DEFAULT_CAPS, undefined);
    t.match(unconfined.out, /^Seccomp:\s+0\n/, 'unconfined: no filter');
    t.match(unconfined.out, /userns-ok/, unconfined.err);
  });

  t.test('a custom JSON profile: Docker\'s without mkdir', async (t) => {
    const profile = structuredClone(DOCKER_DEFAULT_PROFILE);
    profile.syscalls![0]!.names = profile.syscalls![0]!.names!.filter((n) => n !== 'mkdir' && n !== 'mkdirat');
    const parsed = parseSeccompProfile(JSON.stringify(profile));
    const r = await run(d, fx, 'mkdir /tmp/d; touch /tmp/f && echo touched; exit 0', DEFAULT_CAPS, resolveSeccomp(parsed, { caps: DEFAULT_CAPS }));
    t.match(r.err, /mkdir: can't create directory '\/tmp\/d': Operation not permitted/);
    t.equal(r.out, 'touched\n');
  });
});
