import t from 'tap';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { queryBool, queryInt, readJson } from '../../actors/system/api/http.js';
import { Router, splitVersion } from '../../actors/system/api/router.js';
import { parseFilters, labelsAllow } from '../../protocol/filters.js';
import { parseUnixTimestamp } from '../../protocol/time.js';
import { httpStatus } from '../../protocol/errdefs.js';

function fakeRequest(body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }): IncomingMessage {
  return Object.assign(Readable.from([Buffer.from(body)]), { headers }) as unknown as IncomingMessage;
}

t.test('readJson: good, empty, bad, wrong type, too big', async (t) => {
  t.same(await readJson(fakeRequest('{"Image":"busybox"}')), { Image: 'busybox' });
  t.equal(await readJson(fakeRequest('', { 'content-type': 'text/plain' })), undefined, 'an empty body with CLI 20.10 text/plain is fine');
  await t.rejects(readJson(fakeRequest('{"Image":')), { name: 'InvalidParameterError', message: /invalid JSON in request body/ });
  await t.rejects(readJson(fakeRequest('{}', { 'content-type': 'text/plain' })), { name: 'InvalidParameterError', message: "unsupported Content-Type header (text/plain): must be 'application/json'" });
  const big = Buffer.alloc(5 * 1024 * 1024, 0x20);
  await t.rejects(readJson(fakeRequest(big)), { name: 'InvalidParameterError', message: /request body too large/ });
  await t.rejects(readJson(fakeRequest('{}', { 'content-type': 'application/json', 'content-length': String(1 << 30) })), { message: /request body too large: 1073741824 bytes/ });
});

t.test('query values', async (t) => {
  const q = new URLSearchParams('a=1&b=false&c=&d=True&n=12&bad=1x');
  t.equal(queryBool(q, 'a'), true);
  t.equal(queryBool(q, 'b'), false);
  t.equal(queryBool(q, 'c'), false);
  t.equal(queryBool(q, 'd'), true);
  t.equal(queryBool(q, 'missing'), false);
  t.equal(queryInt(q, 'n'), 12);
  t.equal(queryInt(q, 'missing'), undefined);
  t.throws(() => queryInt(q, 'bad'), { name: 'InvalidParameterError', message: 'invalid value for bad: "1x" is not an integer' });
});

t.test('router: params, names with slashes, version prefixes', async (t) => {
  const h = async () => {};
  const r = new Router().add({ method: 'GET', path: '/containers/{id}/json', handler: h }, { method: 'POST', path: '/images/{name}/tag', handler: h });
  t.same(r.match('GET', '/v1.41/containers/abc/json').params, { id: 'abc' });
  t.equal(r.match('GET', '/v1.41/containers/abc/json').version, '1.41');
  t.same(r.match('POST', '/images/127.0.0.1:5000/busybox/tag').params, { name: '127.0.0.1:5000/busybox' });
  t.equal(r.match('GET', '/containers/abc/json/').version, '1.47', 'unprefixed is the newest');
  t.throws(() => r.match('GET', '/containers/abc'), { name: 'NotFoundError', message: 'page not found' });
  t.throws(() => r.match('PUT', '/containers/abc/json'), { name: 'NotFoundError' });
  t.same(splitVersion('/v1.24/info'), { version: '1.24', path: '/info' });
  t.throws(() => splitVersion('/v1.100/info'), { name: 'InvalidParameterError', message: /too new/ });
});

t.test('filters and timestamps', async (t) => {
  t.same([...parseFilters('{"label":["a=b","c"],"type":{"container":true,"image":false}}', ['label', 'type'])], [['label', ['a=b', 'c']], ['type', ['container']]]);
  t.same([...parseFilters('', ['x'])], []);
  t.throws(() => parseFilters('{"x":[1]}', ['x']), { name: 'InvalidParameterError', message: /values must be a list of strings/ });
  t.throws(() => parseFilters('[]', ['x']), { name: 'InvalidParameterError' });
  t.ok(labelsAllow(parseFilters('{"label":["a=b","c"]}', ['label']), { a: 'b', c: '' }));
  t.notOk(labelsAllow(parseFilters('{"label":["a=b"]}', ['label']), { a: 'x' }));
  t.equal(parseUnixTimestamp('since', '1700000000'), 1_700_000_000_000_000_000n);
  t.equal(parseUnixTimestamp('since', '1700000000.5'), 1_700_000_000_500_000_000n);
  t.equal(parseUnixTimestamp('since', '1700000000.000000001'), 1_700_000_000_000_000_001n);
  t.throws(() => parseUnixTimestamp('until', '-1'), { name: 'InvalidParameterError', message: /invalid value for until/ });
});

t.test('errdefs map to Docker statuses in one place', async (t) => {
  t.same(
    (['NotFound', 'InvalidParameter', 'Conflict', 'NotModified', 'Unauthorized', 'Forbidden', 'Unavailable', 'NotImplemented', 'System', 'Cancelled', 'Deadline'] as const).map(httpStatus),
    [404, 400, 409, 304, 401, 403, 503, 501, 500, 500, 500],
  );
});
