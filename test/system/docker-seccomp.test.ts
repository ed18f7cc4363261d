/**
 * --security-opt through the real docker CLI (and berth's) against berth on the native runtime:
 * the default profile filters, seccomp=unconfined lifts it, a profile file applies,
 * --cap-add SYS_ADMIN opens mount, no-new-privileges sets the flag, a bad option is refused at
 * create, and inspect echoes SecurityOpt as given (both CLIs send the same compacted profile).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { nativeMissing } from '../conformance/execdriver-native-fixture.js';
import { runCli } from '../helpers/cli-run.js';
import { dockerOnTestDaemon } from '../helpers/docker-rig.js';
import { probes } from '../helpers/probes.js';

const STATUS = ['grep', '-E', '^(Seccomp|NoNewPrivs):', '/proc/self/status'];

t.test('docker run --security-opt against berth', { skip: probes.dockerCli() || nativeMissing() }, async (t) => {
  const { d, docker } = await dockerOnTestDaemon(t);
  const fails = (...args: string[]) => docker(...args).then(() => ({ stderr: '' }), (e: { stderr: string }) => e);
  // No network: the default bridge is shared by every daemon on the host, and nothing here needs one.
  const drun = (...args: string[]) => docker('run', '--rm', '--network', 'none', ...args);
  const profile = path.join(d.dir, 'no-mkdir.json');
  writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }, null, 2));

  t.test('the default filter, and what lifts it', async (t) => {
    t.equal((await drun('busybox', ...STATUS)).stdout, 'NoNewPrivs:\t0\nSeccomp:\t2\n');
    t.equal((await drun('--security-opt', 'seccomp=unconfined', 'busybox', ...STATUS)).stdout, 'NoNewPrivs:\t0\nSeccomp:\t0\n');
    t.equal((await drun('--security-opt', 'no-new-privileges', 'busybox', ...STATUS)).stdout, 'NoNewPrivs:\t1\nSeccomp:\t2\n');
  });

  t.test('mount needs CAP_SYS_ADMIN, which also opens the filter', async (t) => {
    const mount = ['busybox', 'sh', '-c', 'mkdir /m && mount -t tmpfs none /m && echo mounted'];
    t.match((await fails('run', '--rm', '--network', 'none', '--cap-add', 'SYS_PTRACE', ...mount)).stderr, /permission denied/);
    t.equal((await drun('--cap-add', 'SYS_ADMIN', ...mount)).stdout, 'mounted\n');
  });

  t.test('a profile file, sent as JSON by either CLI and echoed by inspect', async (t) => {
    const r = await fails('run', '--rm', '--network', 'none', '--security-opt', `seccomp=${profile}`, 'busybox', 'mkdir', '/x');
    t.match(r.stderr, /mkdir: can't create directory '\/x': Operation not permitted/);
    await docker('create', '--name', 'viadocker', '--security-opt', `seccomp=${profile}`, '--security-opt', 'no-new-privileges:true', 'busybox', 'true');
    const created = await runCli(['create', '--name', 'viaberth', '--security-opt', `seccomp=${profile}`, '--security-opt', 'no-new-privileges:true', 'busybox', 'true'], { BERTH_HOST: `unix://${d.socket}` });
    t.equal(created.code, 0, created.stderr);
    const opts = async (name: string) => (await docker('inspect', '-f', '{{json .HostConfig.SecurityOpt}}', name)).stdout.trim();
    t.equal(await opts('viadocker'), JSON.stringify([`seccomp=${JSON.stringify(JSON.parse(readFileSync(profile, 'utf8')))}`, 'no-new-privileges:true']));
    t.equal(await opts('viaberth'), await opts('viadocker'), 'berth sends what docker sends');
  });

  t.test('bad options are refused at create', async (t) => {
    t.match((await fails('create', '--security-opt', 'bogus=1', 'busybox', 'true')).stderr, /invalid --security-opt 2: "bogus=1"/);
    const bad = path.join(d.dir, 'bad.json');
    writeFileSync(bad, '{"defaultAction": "SCMP_ACT_NOPE"}');
    t.match((await fails('create', '--security-opt', `seccomp=${bad}`, 'busybox', 'true')).stderr, /invalid seccomp profile: defaultAction: unknown action "SCMP_ACT_NOPE"/);
    t.equal((await docker('ps', '-aq', '--filter', 'status=created')).stdout.trim().split('\n').filter(Boolean).length, 2, 'only the two good ones exist');
  });
});
