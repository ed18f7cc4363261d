/**
 * The real docker CLI against berth for moving images: pull, tag, push (with the CLI's own progress
 * rendering), save to a file, rmi, load it back, search a private registry, login to a registry with
 * basic auth and push with the stored credentials, and a wrong password refused.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestDaemon } from '../helpers/daemon.js';
import { dockerCliPath } from '../helpers/docker-cli.js';
import { busyboxImage, multiLayerImage, pushImage } from '../helpers/images.js';
import { probes } from '../helpers/probes.js';
import { registryProbe, startRegistry } from '../helpers/registry.js';

const run = promisify(execFile);

t.test('docker push, save, load, search and login against berth', { skip: probes.dockerCli() || registryProbe() }, async (t) => {
  const reg = await startRegistry();
  t.teardown(() => reg.stop());
  const locked = await startRegistry({ htpasswd: { alice: 's3cret' } });
  t.teardown(() => locked.stop());
  await pushImage(reg, 'multi', 'v1', await multiLayerImage());
  await pushImage(reg, 'busybox', 'latest', await busyboxImage());
  const d = await startTestDaemon();
  t.teardown(() => d.close());
  const env = { ...process.env, DOCKER_HOST: `unix://${d.socket}`, DOCKER_CONFIG: d.dir };
  const docker = (args: string[], input?: string) => {
    const p = run(dockerCliPath()!, args, { env });
    if (input !== undefined) p.child.stdin!.end(input);
    return p;
  };
  const fails = (args: string[], input?: string) => docker(args, input).then(() => null, (e: { stderr: string; code: number }) => e);

  await docker(['pull', `${reg.host}/multi:v1`]);
  await docker(['tag', `${reg.host}/multi:v1`, `${reg.host}/team/multi:v2`]);
  const pushed = await docker(['push', `${reg.host}/team/multi:v2`]);
  t.match(pushed.stdout, `The push refers to repository [${reg.host}/team/multi]`);
  t.match(pushed.stdout, /Mounted from multi/, 'layers pulled from the same registry are mounted');
  t.match(pushed.stdout, /v2: digest: sha256:[0-9a-f]{64} size: \d+/);

  const archive = path.join(d.dir, 'images.tar');
  await docker(['save', '-o', archive, `${reg.host}/team/multi:v2`, `${reg.host}/multi:v1`]);
  t.ok(existsSync(archive) && statSync(archive).size > 0, 'docker save wrote the archive');
  await docker(['rmi', `${reg.host}/team/multi:v2`, `${reg.host}/multi:v1`]);
  t.equal((await docker(['images', '-q'])).stdout.trim(), '');
  const loaded = await docker(['load', '-i', archive]);
  t.match(loaded.stdout, `Loaded image: ${reg.host}/team/multi:v2`);
  t.match(loaded.stdout, `Loaded image: ${reg.host}/multi:v1`);
  const cat = await docker(['run', '--rm', `${reg.host}/multi:v1`, 'cat', '/etc/layer3']).catch(() => null);
  if (cat) t.equal(cat.stdout, 'third layer\n', 'the loaded image runs');
  const tags = (await docker(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.trim().split('\n').sort();
  t.same(tags, [`${reg.host}/multi:v1`, `${reg.host}/team/multi:v2`]);

  const found = await docker(['search', `${reg.host}/bus`]);
  t.match(found.stdout, `${reg.host}/busybox`);

  const bad = await fails(['login', locked.host, '-u', 'alice', '--password-stdin'], 'wrong\n');
  t.match(bad?.stderr, `login attempt to http://${locked.host}/v2/ failed with status: 401 Unauthorized`);
  const ok = await docker(['login', locked.host, '-u', 'alice', '--password-stdin'], 's3cret\n');
  t.match(ok.stdout, /Login Succeeded/);
  await docker(['tag', `${reg.host}/multi:v1`, `${locked.host}/private/multi:v1`]);
  const privatePush = await docker(['push', `${locked.host}/private/multi:v1`]);
  t.match(privatePush.stdout, /Pushed/, 'the stored credentials push');
  const missing = await fails(['push', `${reg.host}/nothing:here`]);
  t.match(missing?.stderr, /An image does not exist locally with the tag: .*nothing/);
});
