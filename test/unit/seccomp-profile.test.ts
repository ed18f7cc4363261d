/**
 * Seccomp profiles without a kernel: Docker's default made concrete per capability set (and kept in
 * step with the fixtures the Rust tests compile), the JSON profile parser's refusals, and
 * SecurityOpt as dockerd reads it, down to the spec a container gets.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';

import { applySecurityOpt, parseSecurityOpt } from '../../actors/services/containers/security-opt.js';
import { DEFAULT_CAPS, defaultSpec } from '../../drivers/exec/defaults.js';
import { CLONE_NAMESPACE_FLAGS, DOCKER_DEFAULT_PROFILE } from '../../drivers/exec/seccomp/default-profile.js';
import { parseSeccompProfile } from '../../drivers/exec/seccomp/profile.js';
import { resolveSeccomp } from '../../drivers/exec/seccomp/resolve.js';
import type { OciSeccomp } from '../../drivers/exec/spec.js';
import { kindOf } from '../../protocol/errdefs.js';

const fixture = (name: string): OciSeccomp => JSON.parse(readFileSync(new URL(`../../../test/fixtures/seccomp/${name}`, import.meta.url), 'utf8')) as OciSeccomp;
const allowed = (p: OciSeccomp) => new Set(p.syscalls!.filter((s) => s.action === 'SCMP_ACT_ALLOW' && !s.args).flatMap((s) => s.names));
const amd64 = (caps: string[]) => resolveSeccomp(DOCKER_DEFAULT_PROFILE, { caps, arch: 'amd64', kernel: '6.1.0-18-amd64' });

t.test('the fixtures the Rust tests compile are this profile, resolved', async (t) => {
  t.same(amd64(DEFAULT_CAPS), fixture('default-amd64.json'));
  t.same(amd64([...DEFAULT_CAPS, 'CAP_SYS_ADMIN']), fixture('default-amd64-sys-admin.json'));
});

t.test('the default profile: an allowlist, widened by capability, architecture and kernel', async (t) => {
  const base = amd64(DEFAULT_CAPS);
  t.equal(base.defaultAction, 'SCMP_ACT_ERRNO');
  t.equal(base.defaultErrnoRet, 1);
  const ok = allowed(base);
  for (const n of ['read', 'openat', 'execve', 'arch_prctl', 'chroot', 'ptrace']) t.ok(ok.has(n), `${n} allowed`);
  for (const n of ['mount', 'unshare', 'setns', 'reboot', 'kcmp', 'bpf', 'keyctl', 'cacheflush']) t.notOk(ok.has(n), `${n} not allowed`);
  t.same(base.syscalls!.find((s) => s.names[0] === 'clone'), { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] });
  t.same(base.syscalls!.find((s) => s.names[0] === 'clone3'), { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  const admin = amd64([...DEFAULT_CAPS, 'CAP_SYS_ADMIN']);
  for (const n of ['mount', 'umount2', 'unshare', 'setns', 'clone', 'clone3', 'sethostname']) t.ok(allowed(admin).has(n), `CAP_SYS_ADMIN: ${n}`);
  t.notOk(admin.syscalls!.some((s) => s.action !== 'SCMP_ACT_ALLOW' || s.names[0] === 'clone' && s.args), 'no clone3 ENOSYS, no masked clone');
  t.ok(allowed(amd64(['CAP_SYS_TIME'])).has('clock_settime'), 'CAP_SYS_TIME');
  t.ok(allowed(amd64(['CAP_SYS_PTRACE'])).has('process_vm_readv'), 'CAP_SYS_PTRACE');
  t.notOk(allowed(amd64([])).has('chroot'), 'without CAP_SYS_CHROOT no chroot');
  const arm = resolveSeccomp(DOCKER_DEFAULT_PROFILE, { caps: DEFAULT_CAPS, arch: 'arm64', kernel: '6.1' });
  t.ok(allowed(arm).has('cacheflush'), 'arm64 has its own');
  t.notOk(allowed(arm).has('arch_prctl'), 'and not amd64\'s');
  const old = resolveSeccomp(DOCKER_DEFAULT_PROFILE, { caps: DEFAULT_CAPS, arch: 'amd64', kernel: '4.4.0' });
  t.notOk(allowed(old).has('ptrace'), 'before 4.8 ptrace could bypass seccomp');
});

t.test('a JSON profile is checked field by field', async (t) => {
  const p = parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"mkdir","action":"SCMP_ACT_ERRNO"}]}');
  t.same(resolveSeccomp(p, { caps: [] }).syscalls, [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }], 'the old single name');
  const refusals: Array<[string, RegExp]> = [
    ['not json', /decoding failed/],
    ['[]', /must be a JSON object/],
    ['{}', /defaultAction: unknown action undefined/],
    ['{"defaultAction":"SCMP_ACT_NOTIFY"}', /unknown action "SCMP_ACT_NOTIFY"/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ERRNO"}]}', /syscalls\[0\] names no syscall/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ERRNO"}]}', /either 'name' or 'names'/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}', /index 6 is not 0-5/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"EQ"}]}]}', /unknown operator "EQ"/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ERRNO","errnoRet":-1}]}', /errnoRet must be/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","includes":{"caps":"CAP_X"}}]}', /includes.caps must be a list/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{}]}', /both 'architectures' and 'archMap'/],
  ];
  for (const [text, why] of refusals) {
    const err = t.throws(() => parseSeccompProfile(text)) as Error;
    t.equal(kindOf(err), 'InvalidParameter', text);
    t.match(err.message, /^invalid seccomp profile: /);
    t.match(err.message, why);
  }
});

t.test('SecurityOpt as dockerd reads it', async (t) => {
  t.same(parseSecurityOpt(null), { seccomp: DOCKER_DEFAULT_PROFILE, noNewPrivileges: false });
  t.equal(parseSecurityOpt(['seccomp=unconfined']).seccomp, null);
  t.equal(parseSecurityOpt(['seccomp:unconfined']).seccomp, null, 'the old colon form');
  t.equal(parseSecurityOpt(['seccomp=builtin']).seccomp, DOCKER_DEFAULT_PROFILE);
  t.equal(parseSecurityOpt(['seccomp={"defaultAction":"SCMP_ACT_LOG"}']).seccomp?.defaultAction, 'SCMP_ACT_LOG');
  for (const o of ['no-new-privileges', 'no-new-privileges=true', 'no-new-privileges:1']) t.equal(parseSecurityOpt([o]).noNewPrivileges, true, o);
  t.equal(parseSecurityOpt(['no-new-privileges', 'no-new-privileges=false']).noNewPrivileges, false);
  t.same(parseSecurityOpt(['label=disable', 'apparmor=unconfined']).noNewPrivileges, false, 'LSM options are accepted');
  const refuse = (opt: string, message: string) => {
    const err = t.throws(() => parseSecurityOpt([opt])) as Error;
    t.equal(kindOf(err), 'InvalidParameter');
    t.equal(err.message, message);
  };
  refuse('unknown', 'invalid --security-opt 1: "unknown"');
  refuse('unknown=something', 'invalid --security-opt 2: "unknown=something"');
  refuse('no-new-privileges=maybe', 'invalid --security-opt 2: "no-new-privileges=maybe"');
  t.throws(() => parseSecurityOpt(['seccomp={"defaultAction":"nope"}']), /invalid seccomp profile: defaultAction: unknown action "nope"/);
});

t.test('the spec: the profile for the container\'s capabilities, none when privileged or unconfined', async (t) => {
  const spec = () => defaultSpec({ rootfs: '/r', args: ['sh'] });
  const s = spec();
  applySecurityOpt(s, { CapAdd: ['SYS_ADMIN'] }, [...DEFAULT_CAPS, 'CAP_SYS_ADMIN']);
  t.ok(allowed(s.linux!.seccomp!).has('mount'), 'resolved for the caps given');
  t.equal(s.process.noNewPrivileges, false);
  const u = spec();
  applySecurityOpt(u, { SecurityOpt: ['seccomp=unconfined', 'no-new-privileges'] }, DEFAULT_CAPS);
  t.equal(u.linux!.seccomp, undefined);
  t.equal(u.process.noNewPrivileges, true);
  const p = spec();
  applySecurityOpt(p, { Privileged: true, SecurityOpt: ['seccomp={"defaultAction":"SCMP_ACT_KILL"}'] }, DEFAULT_CAPS);
  t.equal(p.linux!.seccomp, undefined, 'privileged: no filter, whatever the profile');
});
