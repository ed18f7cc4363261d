import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INDEX_SERVER, convertToHostname, credentialsFor, encodeAuth, readConfig, registryKey, storedAuth, writeConfig } from '../../cli/auth-config.js';
import { searchedRegistry } from '../../cli/commands/search.js';
import { renderListing } from '../../cli/render/listing.js';
import { SEARCH_HEADERS, searchFormat, searchRows } from '../../cli/render/search.js';

t.test('X-Registry-Auth: base64url of the JSON in Go field order, padding kept; {} when nothing is stored', async (t) => {
  t.equal(encodeAuth({}), 'e30=');
  // The exact header docker 28 sent for this login (captured against berth).
  t.equal(encodeAuth({ serveraddress: '127.0.0.1:39553', password: 'pw', username: 'me' }),
    'eyJ1c2VybmFtZSI6Im1lIiwicGFzc3dvcmQiOiJwdyIsInNlcnZlcmFkZHJlc3MiOiIxMjcuMC4wLjE6Mzk1NTMifQ==');
  t.notMatch(encodeAuth({ username: '?>?>', password: '~~~' }), /[+/]/, 'URL alphabet');
});

t.test('which stored entry a registry uses', async (t) => {
  t.equal(registryKey('docker.io'), INDEX_SERVER);
  t.equal(registryKey('127.0.0.1:5000'), '127.0.0.1:5000');
  t.equal(convertToHostname('https://registry.example:5000/v2/'), 'registry.example:5000');
  const config = { auths: { 'http://127.0.0.1:5000': storedAuth('me', 'pa:ss'), [INDEX_SERVER]: storedAuth('hub', '', 'refresh-token') } };
  t.same(credentialsFor(config, '127.0.0.1:5000'), { username: 'me', password: 'pa:ss', serveraddress: '127.0.0.1:5000' }, 'an older spelling with a scheme');
  t.same(credentialsFor(config, INDEX_SERVER), { username: 'hub', serveraddress: INDEX_SERVER, identitytoken: 'refresh-token' });
  t.same(credentialsFor(config, 'elsewhere:1'), {});
  t.throws(() => credentialsFor({ auths: { x: { auth: Buffer.from('nocolon').toString('base64') } } }, 'x'), /invalid auth configuration/);
  t.equal(searchedRegistry('busybox'), 'docker.io');
  t.equal(searchedRegistry('user/app'), 'docker.io');
  t.equal(searchedRegistry('127.0.0.1:5000/app'), '127.0.0.1:5000');
  t.equal(searchedRegistry('localhost/app'), 'localhost');
});

t.test('the config file: other fields kept, written whole and private', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-auth-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'sub', 'config.json');
  t.same(await readConfig(path), {}, 'no file: empty');
  await writeConfig({ psFormat: 'table {{.ID}}', auths: { a: storedAuth('u', 'p') } }, path);
  t.equal(readFileSync(path, 'utf8'), '{\n\t"psFormat": "table {{.ID}}",\n\t"auths": {\n\t\t"a": {\n\t\t\t"auth": "dTpw"\n\t\t}\n\t}\n}');
  t.equal(statSync(path).mode & 0o777, 0o600);
  t.equal(statSync(join(dir, 'sub')).mode & 0o777, 0o700);
  t.same((await readConfig(path)).psFormat, 'table {{.ID}}');
});

t.test('search rows: [OK] in templates, "true" in JSON, descriptions on one line and cut at 45', async (t) => {
  const rows = searchRows([
    { name: 'busybox', description: 'Busybox base image with a rather long description that goes on and on', star_count: 3321, is_official: true, is_automated: false },
    { name: 'user/busy', description: 'line1\nline2', star_count: 2, is_official: false, is_automated: true },
  ], false);
  t.equal(renderListing(searchFormat(undefined), rows, SEARCH_HEADERS), [
    'NAME        DESCRIPTION                                     STARS     OFFICIAL',
    'busybox     Busybox base image with a rather long descri…   3321      [OK]',
    'user/busy   line1 line2                                     2         ',
    '',
  ].join('\n'));
  t.equal(renderListing('json', rows.slice(0, 1), SEARCH_HEADERS),
    '{"Description":"Busybox base image with a rather long descri…","IsOfficial":"true","Name":"busybox","StarCount":"3321"}\n');
  t.equal(renderListing('{{.IsOfficial}}|{{.StarCount}}', rows, SEARCH_HEADERS), '[OK]|3321\n|2\n');
});
