import t from 'tap';
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { startTestDaemon } from '../helpers/daemon.js';
import { dockerCliPath } from '../helpers/docker-cli.js';
import { probes } from '../helpers/probes.js';

const run = promisify(execFile);

t.test('real Docker clients against berth', async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.close());

  t.test('docker version', { skip: probes.dockerCli() }, async (t) => {
    const env = { ...process.env, DOCKER_HOST: `unix://${d.socket}`, DOCKER_CONFIG: d.dir };
    const { stdout } = await run(dockerCliPath()!, ['version'], { env });
    t.match(stdout, /Server: berth Engine/);
    t.match(stdout, /API version:\s+1\.47 \(minimum version 1\.24\)/);
    t.match(stdout, /Version:\s+0\.1\.0/);
    const json = await run(dockerCliPath()!, ['version', '--format', '{{json .Server}}'], { env });
    t.match(JSON.parse(json.stdout), { ApiVersion: '1.47', MinAPIVersion: '1.24', Os: 'linux', KernelVersion: os.release() });
  });

  t.test('docker info', { skip: probes.dockerCli() }, async (t) => {
    const env = { ...process.env, DOCKER_HOST: `unix://${d.socket}`, DOCKER_CONFIG: d.dir };
    const { stdout } = await run(dockerCliPath()!, ['info'], { env });
    t.match(stdout, /Server Version: 0\.1\.0/);
    t.match(stdout, new RegExp(`Kernel Version: ${os.release().replace(/[.]/g, '\\.')}`));
    t.match(stdout, /Cgroup Version: [12]/);
    t.match(stdout, new RegExp(`Docker Root Dir: ${d.config.dataRoot}`));
  });

  t.test('docker events --since/--until', { skip: probes.dockerCli() }, async (t) => {
    const env = { ...process.env, DOCKER_HOST: `unix://${d.socket}`, DOCKER_CONFIG: d.dir };
    const until = String(Math.ceil(Date.now() / 1000) + 1);
    const { stdout } = await run(dockerCliPath()!, ['events', '--since', '0', '--until', until, '--format', '{{.Type}} {{.Action}}'], { env });
    t.equal(stdout.trim(), 'daemon start');
  });

  t.test('dockerode ping, version, info', async (t) => {
    const docker = new Docker({ socketPath: d.socket });
    t.equal(String(await docker.ping()), 'OK');
    const v = await docker.version();
    t.equal(v.ApiVersion, '1.47');
    const info = await docker.info();
    t.equal(info.NCPU, os.cpus().length);
    t.equal(info.DockerRootDir, d.config.dataRoot);
  });

  t.test('curl to an unknown route gets 404 JSON', async (t) => {
    const { stdout } = await run('curl', ['-s', '-w', '\\n%{http_code}', '--unix-socket', d.socket, 'http://localhost/v1.47/no/such/route']);
    const [body, code] = stdout.split('\n');
    t.equal(code, '404');
    t.same(JSON.parse(body!), { message: 'page not found' });
  });
});
