/**
 * The docker CLI's networking against berth (root): `docker network create`, a web server on it by
 * name (`--network n --name web busybox httpd`), a client reaching it by name with busybox nc, a
 * container on another network that can neither resolve nor reach it, `docker port`, `network
 * connect` / `disconnect` / `inspect` / `ls` / `rm` / `prune`. The daemon runs in a network
 * namespace of its own, so its published ports are asked from there, and nothing can leak out.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { request } from '../helpers/daemon.js';
import { dockerCliPath } from '../helpers/docker-cli.js';
import { startNetnsDaemon } from '../helpers/netns-daemon.js';
import { BERTH_BIN } from '../helpers/cli-run.js';
import { probes } from '../helpers/probes.js';
import { busyboxRootfsBuffer } from '../helpers/rootfs-tar.js';

const run = promisify(execFile);
const HTTP_GET = (host: string) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} 80`;

t.test('docker network … against berth', { skip: probes.root() || probes.dockerCli() }, async (t) => {
  const d = await startNetnsDaemon();
  t.teardown(() => d.close());
  const env = { ...process.env, DOCKER_HOST: `unix://${d.socket}`, DOCKER_CONFIG: d.dir };
  const docker = async (...args: string[]) => (await run(dockerCliPath()!, args, { env, timeout: 60_000 })).stdout;
  const fails = (...args: string[]) => run(dockerCliPath()!, args, { env, timeout: 60_000 }).then(() => null, (e: { stderr: string; code: number }) => e);
  const berth = async (...args: string[]) => (await run(process.execPath, [BERTH_BIN, ...args], { env: { ...env, BERTH_HOST: `unix://${d.socket}` }, timeout: 60_000 })).stdout;
  t.teardown(() => docker('rm', '-f', 'web', 'alt', 'pr', 'prange', 'pall').catch(() => undefined));
  await request(d.socket, 'POST', `/images/create?fromSrc=-&repo=busybox&tag=latest&changes=${encodeURIComponent('CMD ["sh"]')}`, { body: await busyboxRootfsBuffer() });

  const id = (await docker('network', 'create', '--label', 'app=web', 'n')).trim();
  t.match(id, /^[0-9a-f]{64}$/, 'network create prints the id');
  await docker('network', 'create', '--subnet', '10.211.3.0/24', '--gateway', '10.211.3.1', 'other');
  t.match(await fails('network', 'create', 'n'), { stderr: /network with name n already exists/ });
  t.match(await docker('network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}'), /^bridge bridge local$/m);
  t.same((await docker('network', 'ls', '-q', '--filter', 'label=app=web')).trim(), id.slice(0, 12), 'ls -q with a label filter');

  await docker('run', '-d', '--network', 'n', '--name', 'web', '-p', '127.0.0.1::80', 'busybox', 'sh', '-c', 'mkdir /www && echo hello from web > /www/index.html && exec httpd -f -p 80 -h /www');
  const got = await docker('run', '--rm', '--network', 'n', 'busybox', 'sh', '-c', HTTP_GET('web'));
  t.match(got, /200 OK[\s\S]*hello from web/, 'a container on n reaches web by name');
  const across = await docker('run', '--rm', '--network', 'other', 'busybox', 'sh', '-c', `nslookup web >/dev/null 2>&1 && echo RESOLVED; ${HTTP_GET((await docker('inspect', '-f', '{{.NetworkSettings.Networks.n.IPAddress}}', 'web')).trim())} || echo NOREACH`);
  t.notMatch(across, /RESOLVED|hello/, 'on another network web neither resolves nor answers');
  t.match(across, /NOREACH/);

  const port = await docker('port', 'web');
  t.match(port, /^80\/tcp -> 127\.0\.0\.1:\d+$/m, 'docker port');
  const hostPort = /:(\d+)/.exec(port)![1]!;
  t.match(d.inNetns('sh', ['-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 127.0.0.1 ${hostPort}`]), /hello from web/, 'the published port answers on 127.0.0.1');

  await t.test('berth network … prints what docker network … prints', async (t) => {
    for (const args of [['network', 'ls'], ['network', 'ls', '-q', '--no-trunc'], ['network', 'ls', '--format', '{{json .}}'], ['network', 'inspect', 'n', 'other'], ['network', 'inspect', '-f', '{{json .IPAM.Config}}', 'other'], ['port', 'web']]) {
      t.equal(await berth(...args), await docker(...args), args.join(' '));
    }
    const made = (await berth('network', 'create', '--internal', '--label', 'x=y', 'cli')).trim();
    t.match(await docker('network', 'inspect', '-f', '{{.Internal}} {{.Labels}}', 'cli'), /^true map\[x:y\]/);
    await berth('network', 'connect', '--alias', 'w2', 'cli', 'web');
    t.match(await docker('inspect', '-f', '{{json .NetworkSettings.Networks.cli.Aliases}}', 'web'), '["w2"]');
    await berth('network', 'disconnect', 'cli', 'web');
    t.equal(await berth('network', 'rm', 'cli'), 'cli\n');
    t.match(made, /^[0-9a-f]{64}$/);
  });

  await t.test('-p with ranges and -P', async (t) => {
    const httpd = ['sh', '-c', 'mkdir /www && hostname > /www/index.html && (httpd -p 81 -h /www &) && exec httpd -f -p 80 -h /www'];
    await docker('run', '-d', '--name', 'pr', '--hostname', 'pr', '-p', '127.0.0.1:18100-18101:80-81', 'busybox', ...httpd);
    t.equal(await docker('port', 'pr'), '80/tcp -> 127.0.0.1:18100\n81/tcp -> 127.0.0.1:18101\n', 'container port ranges map pairwise');
    await docker('run', '-d', '--name', 'prange', '--hostname', 'prange', '-p', '127.0.0.1:18100-18110:80', 'busybox', ...httpd);
    t.equal(await docker('port', 'prange', '80'), '127.0.0.1:18102\n', 'a host range gives its first free port');
    await docker('run', '-d', '--name', 'pall', '--hostname', 'pall', '--expose', '80', '--expose', '81', '-P', 'busybox', ...httpd);
    const [low, high] = d.inNetns('cat', ['/proc/sys/net/ipv4/ip_local_port_range']).trim().split(/\s+/).map(Number) as [number, number];
    const all = await docker('port', 'pall');
    t.match(all, /^80\/tcp -> 0\.0\.0\.0:\d+\n81\/tcp -> 0\.0\.0\.0:\d+\n$/, '-P publishes every exposed port');
    for (const m of all.matchAll(/:(\d+)$/gm)) t.ok(Number(m[1]) >= low && Number(m[1]) <= high, `${m[1]} is in the ephemeral range ${low}-${high}`);
    for (const name of ['pr', 'prange', 'pall']) t.equal(await berth('port', name), await docker('port', name), `berth port ${name}`);
    const get = async (port: string) => {
      let body = '';
      for (let i = 0; i < 30 && !body.includes('200 OK'); i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        body = d.inNetns('sh', ['-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 127.0.0.1 ${port} || true`]);
      }
      return body;
    };
    t.match(await get('18101'), /\npr\n/, 'pr answers on its second port');
    t.match(await get(/81\/tcp -> 0\.0\.0\.0:(\d+)/.exec(all)![1]!), /\npall\n/, 'pall on its -P port');
    await docker('rm', '-f', 'pr', 'prange', 'pall');
  });

  await docker('run', '-d', '--name', 'alt', '--network', 'other', 'busybox', 'sleep', '60');
  await docker('network', 'connect', '--alias', 'second', 'n', 'alt');
  t.match(await docker('network', 'inspect', '-f', '{{range .Containers}}{{.Name}} {{end}}', 'n'), /alt/, 'network inspect lists the connected container');
  t.match(await docker('run', '--rm', '--network', 'n', 'busybox', 'sh', '-c', 'nslookup second 2>&1 || true'), /Address.*10\./, 'its alias resolves on n');
  await docker('network', 'disconnect', 'n', 'alt');
  t.match(await fails('network', 'rm', 'n'), { stderr: /has active endpoints/ }, 'rm of a network in use');
  t.match(await fails('network', 'rm', 'bridge'), { stderr: /bridge is a pre-defined network and cannot be removed/ });
  await docker('rm', '-f', 'web', 'alt');
  for (let i = 0; i < 50 && (await fails('network', 'rm', 'n')) !== null; i++) await new Promise((r) => setTimeout(r, 100));
  t.notMatch(await docker('network', 'ls', '--format', '{{.Name}}'), /^n$/m, 'network rm');
  t.match(await docker('network', 'prune', '-f'), /Deleted Networks:\nother/, 'network prune');
  t.notMatch(d.inNetns('ip', ['-o', 'link', 'show']), /br-|vethb/, 'no bridge nor veth of theirs left');
});
