import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadTls, wantsTls } from '../../cli/tls.js';

t.test('TLS is wanted when any TLS flag is given', async (t) => {
  t.notOk(wantsTls({}));
  t.ok(wantsTls({ tls: true }));
  t.ok(wantsTls({ tlsverify: true }));
  t.ok(wantsTls({ tlscacert: '/ca.pem' }));
  t.equal(await loadTls({}), undefined);
});

t.test('the files are read; verification only with --tlsverify', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const name of ['ca', 'cert', 'key']) await writeFile(join(dir, `${name}.pem`), `${name} pem`);
  const files = { tlscacert: join(dir, 'ca.pem'), tlscert: join(dir, 'cert.pem'), tlskey: join(dir, 'key.pem') };
  const tls = await loadTls({ tls: true, ...files });
  t.equal(tls?.ca?.toString(), 'ca pem');
  t.equal(tls?.cert?.toString(), 'cert pem');
  t.equal(tls?.key?.toString(), 'key pem');
  t.equal(tls?.verify, false);
  t.equal((await loadTls({ tlsverify: true, ...files }))?.verify, true);
});

t.test('a missing file or a lone cert is refused', async (t) => {
  await t.rejects(loadTls({ tlscacert: '/nonexistent/ca.pem' }), { name: 'InvalidParameterError', message: /could not read CA certificate "\/nonexistent\/ca\.pem"/ });
  await t.rejects(loadTls({ tlscert: '/c.pem' }), { message: '--tlscert and --tlskey must be given together' });
});
