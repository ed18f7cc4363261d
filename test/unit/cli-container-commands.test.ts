import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { frame, json, runBerth, spawnBerth, startContainerFake, type ContainerFake, type Seen } from '../helpers/cli-container-fake.js';

// The real binary against a fake daemon: the requests of each container command, in docker's order, and what it prints.
t.setTimeout(120_000); // every case spawns the CLI, about half a second each on a busy machine
const ID = 'c0ffee0000000000000000000000000000000000000000000000000000000001';
const EXEC = 'e0000000000000000000000000000000000000000000000000000000000000e1';

/** What the next run's fake container does. */
const next = { exit: 0, out: 'hi\n', err: '', failStart: '', missingImage: false, echoStdin: false, holdUntilKill: false };
let fake: ContainerFake;
let dir: string;
let exited: Promise<void> = Promise.resolve();
let markExited: () => void = () => undefined;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const whenSeen = async (pattern: RegExp): Promise<void> => {
  while (!fake.seen.some((s) => pattern.test(`${s.method} ${s.url}`))) await sleep(5);
};
const whenStarted = (): Promise<void> => whenSeen(/^POST \/(containers|exec)\/[^/]+\/start/);

/** The container's side of an attach or exec start: its output once started, then the end. */
function play(socket: Duplex, seen: Seen): void {
  const input: Buffer[] = [];
  let inputEnded = false;
  socket.on('data', (c: Buffer) => input.push(c));
  socket.on('end', () => (inputEnded = true));
  socket.on('error', () => undefined);
  const finish = (): void => {
    socket.end(Buffer.concat([frame(1, next.echoStdin ? Buffer.concat(input).toString() : next.out), ...(next.err ? [frame(2, next.err)] : [])]));
    markExited();
  };
  void whenStarted().then(async () => {
    if (next.echoStdin && seen.url.includes('stdin=1')) return void (inputEnded ? finish() : socket.once('end', finish));
    await (next.holdUntilKill ? whenSeen(/\/kill\?/) : sleep(20));
    finish();
  });
}

/** Headers at once, the body when the container has exited, as dockerd's wait. */
function wait(res: http.ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  void exited.then(() => res.end(JSON.stringify({ StatusCode: next.exit, Error: null })));
}

t.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-cli-ctr-test-'));
  fake = await startContainerFake({
    'POST /containers/create': (res) => {
      if (next.missingImage) {
        next.missingImage = false;
        return json(res, 404, { message: 'No such image: busybox:latest' });
      }
      exited = new Promise((resolve) => (markExited = resolve));
      json(res, 201, { Id: ID, Warnings: ['a warning'] });
    },
    'POST /images/create': (res) => res.writeHead(200).end('{"status":"Pulling from library/busybox","id":"latest"}\r\n{"status":"Status: Downloaded newer image for busybox:latest"}\r\n'),
    'POST /containers/*/wait': wait,
    'POST /containers/*/start': (res) => (next.failStart ? json(res, 400, { message: next.failStart }) : res.writeHead(204).end()),
    'POST /containers/*/kill': (res) => res.writeHead(204).end(),
    'POST /containers/*/stop': (res, s) => (s.url.includes('nosuch') ? json(res, 404, { message: 'No such container: nosuch' }) : res.writeHead(204).end()),
    'DELETE /containers/*': (res, s) => (s.url.includes('nosuch') ? json(res, 404, { message: 'No such container: nosuch' }) : res.writeHead(204).end()),
    'GET /containers/*/json': (res) => json(res, 200, { Id: ID, Name: '/web', Config: { Tty: false, OpenStdin: true }, State: { Running: true }, HostConfig: {} }),
    'GET /containers/*/logs': (res) => res.writeHead(200).end(Buffer.concat([frame(1, 'out line\n'), frame(2, 'err line\n')])),
    'POST /containers/*/exec': (res) => json(res, 201, { Id: EXEC }),
    'POST /exec/*/start': (res) => res.writeHead(200).end(),
    'GET /exec/*/json': (res) => json(res, 200, { ID: EXEC, Running: false, ExitCode: 7 }),
    'GET /containers/json': (res) => json(res, 200, []),
    'POST /containers/*/update': (res) => json(res, 200, { Warnings: ['Your kernel does not support swap'] }),
    'GET /containers/*/top': (res) => json(res, 200, { Titles: ['PID', 'CMD'], Processes: [['1', 'sleep 100']] }),
  }, {
    'POST /containers/*/attach': play,
    'POST /exec/*/start': play,
  });
});
t.teardown(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
t.beforeEach(() => {
  fake.seen.length = 0;
  Object.assign(next, { exit: 0, out: 'hi\n', err: '', failStart: '', missingImage: false, echoStdin: false, holdUntilKill: false });
});

const berth = (args: string[], input?: string) => runBerth(fake.host, args, { env: { BERTH_CONFIG: dir }, input });

t.test('run --rm: create, attach, wait for removal, start; output demultiplexed; the exit code passed on', async (t) => {
  Object.assign(next, { exit: 3, out: 'hi\n', err: 'oops\n' });
  const run = await berth(['run', '--rm', 'busybox', 'sh', '-c', 'echo hi; exit 3']);
  t.equal(run.code, 3);
  t.equal(run.stdout, 'hi\n');
  t.equal(run.stderr, 'WARNING: a warning\noops\n');
  t.same(fake.lines(), [
    'POST /containers/create',
    `POST /containers/${ID}/attach?stderr=1&stdout=1&stream=1`,
    `POST /containers/${ID}/wait?condition=removed`,
    `POST /containers/${ID}/start`,
  ]);
  t.ok(fake.seen[1]?.upgrade, 'attach is hijacked');
  t.same(JSON.parse(fake.seen[0]?.body ?? '{}').Cmd, ['sh', '-c', 'echo hi; exit 3'], 'flags stop at the image');
});

t.test('run -d: no attach, wait for the next exit registered before start, the ID printed', async (t) => {
  const run = await berth(['run', '-d', '--name', 'web', 'busybox', 'sleep', '9']);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stdout, `${ID}\n`);
  t.same(fake.lines(), ['POST /containers/create?name=web', `POST /containers/${ID}/wait?condition=next-exit`, `POST /containers/${ID}/start`]);
  t.notOk(JSON.parse(fake.seen[0]?.body ?? '{}').AttachStdout, '-d attaches nothing');
});

t.test('run pulls an image the daemon lacks, progress on stderr, then creates again', async (t) => {
  next.missingImage = true;
  const run = await berth(['run', 'busybox']);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stdout, 'hi\n');
  t.equal(run.stderr, "Unable to find image 'busybox:latest' locally\nlatest: Pulling from library/busybox\nStatus: Downloaded newer image for busybox:latest\nWARNING: a warning\n");
  t.same(fake.lines().slice(0, 3), ['POST /containers/create', 'POST /images/create?fromImage=busybox&tag=latest', 'POST /containers/create']);
});

t.test('run: a start error is docker\'s 127, 126 or 125 with its message', async (t) => {
  next.failStart = 'failed to create task for container: exec: "nope": executable file not found in $PATH: unknown';
  const run = await berth(['run', 'busybox', 'nope']);
  t.equal(run.code, 127);
  t.equal(run.stderr, `WARNING: a warning\nberth: Error response from daemon: ${next.failStart}\n\nRun 'berth run --help' for more information\n`);
  next.failStart = 'exec: "/etc/passwd": permission denied: unknown';
  t.equal((await berth(['run', 'busybox', '/etc/passwd'])).code, 126);
  next.failStart = 'no space left';
  t.equal((await berth(['run', 'busybox'])).code, 125);
});

t.test('run -i: stdin forwarded and half-closed at its end, the output still read', async (t) => {
  next.echoStdin = true;
  const run = await berth(['run', '-i', 'busybox', 'cat'], 'from stdin\n');
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stdout, 'from stdin\n');
  t.match(fake.seen[1]?.url, /attach\?stderr=1&stdin=1&stdout=1&stream=1/);
  const body = JSON.parse(fake.seen[0]?.body ?? '{}') as Record<string, unknown>;
  t.same([body.AttachStdin, body.OpenStdin, body.StdinOnce], [true, true, true]);
  const tty = await berth(['run', '-it', 'busybox', 'sh'], '');
  t.equal(tty.code, 1);
  t.equal(tty.stderr, 'the input device is not a TTY\n');
});

t.test('run without a TTY forwards SIGTERM to the container and keeps waiting for its exit (--sig-proxy)', async (t) => {
  Object.assign(next, { holdUntilKill: true, out: 'terminated\n', exit: 143 });
  const { child, done } = spawnBerth(fake.host, ['run', 'busybox', 'sleep', '100'], { env: { BERTH_CONFIG: dir } });
  await whenStarted();
  child.kill('SIGTERM');
  const run = await done;
  t.equal(run.code, 143, 'the container\'s status, not a signal death of the CLI');
  t.equal(run.stdout, 'terminated\n');
  t.ok(fake.lines().includes(`POST /containers/${ID}/kill?signal=TERM`));
});

t.test('exec: inspect, create, hijacked start with docker\'s body, exit code from the exec\'s inspect', async (t) => {
  next.out = 'in the container\n';
  const run = await berth(['exec', '-e', 'A=1', '-u', 'nobody', '-w', '/tmp', 'web', 'sh', '-c', 'exit 7']);
  t.equal(run.code, 7);
  t.equal(run.stdout, 'in the container\n');
  t.same(fake.lines(), ['GET /containers/web/json', 'POST /containers/web/exec', `POST /exec/${EXEC}/start`, `GET /exec/${EXEC}/json`]);
  t.equal(fake.seen[1]?.body, '{"User":"nobody","Privileged":false,"Tty":false,"AttachStdin":false,"AttachStderr":true,"AttachStdout":true,"Detach":false,"DetachKeys":"","Env":["A=1"],"WorkingDir":"/tmp","Cmd":["sh","-c","exit 7"]}');
  t.equal(fake.seen[2]?.body, '{"Detach":false,"Tty":false}');
  t.ok(fake.seen[2]?.upgrade);
  fake.seen.length = 0;
  const detached = await berth(['exec', '-d', 'web', 'sleep', '1']);
  t.equal(detached.code, 0);
  t.equal(detached.stdout, '');
  t.same(fake.lines(), ['GET /containers/web/json', 'POST /containers/web/exec', `POST /exec/${EXEC}/start`]);
  t.equal(fake.seen[2]?.body, '{"Detach":true,"Tty":false}');
});

t.test('logs: inspect for the TTY setting, then the log stream split to stdout and stderr', async (t) => {
  const run = await berth(['logs', '-t', '--tail', '5', '--since', '1700000000', 'web']);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stdout, 'out line\n');
  t.equal(run.stderr, 'err line\n');
  t.same(fake.lines(), ['GET /containers/web/json', `GET /containers/${ID}/logs?since=1700000000&stderr=1&stdout=1&tail=5&timestamps=1`]);
});

t.test('several containers: names echoed, failures on stderr, exit 1; rm -f forgives a missing one', async (t) => {
  const stop = await berth(['stop', '-t', '3', 'web', 'nosuch', 'db']);
  t.equal(stop.code, 1);
  t.equal(stop.stdout, 'web\ndb\n');
  t.equal(stop.stderr, 'Error response from daemon: No such container: nosuch\n');
  t.same(fake.lines(), ['POST /containers/web/stop?t=3', 'POST /containers/nosuch/stop?t=3', 'POST /containers/db/stop?t=3']);
  const rm = await berth(['rm', '-f', '-v', 'web', 'nosuch']);
  t.equal(rm.code, 0);
  t.equal(rm.stdout, 'web\n');
  t.equal(rm.stderr, 'Error response from daemon: No such container: nosuch\n');
  t.equal(fake.seen.at(-1)?.url, '/containers/nosuch?force=1&v=1');
});

t.test('ps, update and top', async (t) => {
  const ps = await berth(['ps', '-a', '-n', '3', '-s', '--filter', 'status=exited']);
  t.equal(ps.stdout, 'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES     SIZE\n');
  t.equal(fake.seen[0]?.url, '/containers/json?all=1&limit=3&size=1&filters=%7B%22status%22%3A%5B%22exited%22%5D%7D');
  const update = await berth(['update', '-m', '32m', '--pids-limit', '50', 'web']);
  t.equal(update.stdout, 'web\n');
  t.equal(update.stderr, 'Your kernel does not support swap\n');
  t.match(fake.seen.at(-1)?.body, /^\{"CpuShares":0,"Memory":33554432,.*"PidsLimit":50,.*"RestartPolicy":\{"Name":"","MaximumRetryCount":0\}\}$/);
  const top = await berth(['top', 'web', '-o', 'pid,comm']);
  t.equal(top.stdout, 'PID                 CMD\n1                   sleep 100\n');
  t.equal(fake.seen.at(-1)?.url, '/containers/web/top?ps_args=-o+pid%2Ccomm');
});
