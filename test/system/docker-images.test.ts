import t from 'tap';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestDaemon } from '../helpers/daemon.js';
import { dockerCliPath } from '../helpers/docker-cli.js';
import { probes } from '../helpers/probes.js';
import { busyboxRootfsBuffer } from '../helpers/rootfs-tar.js';

const run = promisify(execFile);

t.test('docker import, images, tag, inspect, history, rmi against berth', { skip: probes.dockerCli() }, async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.close());
  const env = { ...process.env, DOCKER_HOST: `unix://${d.socket}`, DOCKER_CONFIG: d.dir };
  const docker = (...args: string[]) => run(dockerCliPath()!, args, { env });
  const tarPath = path.join(d.dir, 'rootfs.tar');
  writeFileSync(tarPath, await busyboxRootfsBuffer());

  const imported = await docker('import', '-c', 'CMD ["sh"]', tarPath, 'bb:1');
  t.match(imported.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
  await docker('tag', 'bb:1', 'localhost:5000/bb:2');
  const images = await docker('images', '--format', '{{.Repository}}:{{.Tag}}');
  t.same(images.stdout.trim().split('\n').sort(), ['bb:1', 'localhost:5000/bb:2']);
  const cmd = await docker('image', 'inspect', '--format', '{{json .Config.Cmd}}', 'bb:1');
  t.equal(cmd.stdout.trim(), '["sh"]');
  const history = await docker('history', '--format', '{{.Comment}}', 'bb:1');
  t.match(history.stdout, /Imported from -/);
  const rmi = await docker('rmi', 'bb:1', 'localhost:5000/bb:2');
  t.match(rmi.stdout, /Untagged: bb:1/);
  t.match(rmi.stdout, /Deleted: sha256:/);
  t.equal((await docker('images', '-q')).stdout.trim(), '');
  const err = await docker('rmi', 'nope:1').then(() => null, (e: { stderr: string }) => e);
  t.match(err?.stderr, /No such image: nope:1/, 'a missing image is an error with the message dockerd gives');
});
