import t from 'tap';
import { kindOf } from '../../protocol/errdefs.js';
import {
  basicAuthorization,
  credentialsOf,
  decodeRegistryAuth,
  encodeRegistryAuth,
  parseChallenges,
  pickChallenge,
  repositoryScope,
} from '../../actors/services/registry/auth.js';
import { got } from 'got';
import { Authorizer } from '../../actors/services/registry/authorizer.js';
import { TokenCache, parseToken } from '../../actors/services/registry/token.js';
import { describeErrors, parseErrorBody, responseError } from '../../actors/services/registry/errors.js';
import { nextLink, searchCatalog } from '../../actors/services/registry/catalog.js';

t.test('WWW-Authenticate challenges', async (t) => {
  t.same(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
  ]);
  t.same(parseChallenges('Basic realm="berth-test"'), [{ scheme: 'basic', params: { realm: 'berth-test' } }]);
  t.same(parseChallenges('Basic'), [{ scheme: 'basic', params: {} }], 'a scheme without parameters');
  t.same(parseChallenges('BEARER Realm=http://x/token, Service=reg'), [{ scheme: 'bearer', params: { realm: 'http://x/token', service: 'reg' } }], 'case and unquoted tokens');
  t.same(parseChallenges('Bearer realm="a\\"b",error="insufficient_scope"'), [{ scheme: 'bearer', params: { realm: 'a"b', error: 'insufficient_scope' } }], 'escaped quote');
  const two = parseChallenges('Basic realm="r1", Bearer realm="https://t/token",service="s"');
  t.same(two.map((c) => c.scheme), ['basic', 'bearer'], 'two challenges in one header');
  t.equal(pickChallenge(two)?.scheme, 'bearer', 'Bearer is preferred');
  t.same(parseChallenges(['Basic realm="a"', 'Bearer realm="b"']).length, 2, 'repeated headers');
  t.same(parseChallenges(undefined), []);
  t.same(parseChallenges(''), []);
  t.equal(pickChallenge(parseChallenges('Bearer service="no-realm"')), undefined, 'Bearer without realm is unusable');
  t.equal(repositoryScope('library/busybox', ['pull', 'push']), 'repository:library/busybox:pull,push');
});

t.test('X-Registry-Auth', async (t) => {
  t.same(decodeRegistryAuth('e30='), {}, 'the CLI sends {} without stored credentials');
  t.same(decodeRegistryAuth(undefined), {});
  t.same(decodeRegistryAuth(''), {});
  const cfg = { username: 'alice', password: 'p+/ss?', serveraddress: '127.0.0.1:5000' };
  t.same(decodeRegistryAuth(encodeRegistryAuth(cfg)), cfg, 'base64url round trip');
  const std = Buffer.from(JSON.stringify(cfg)).toString('base64');
  t.same(decodeRegistryAuth(std), cfg, 'standard base64 is accepted too');
  t.same(decodeRegistryAuth(encodeRegistryAuth(cfg).replace(/=+$/, '')), cfg, 'unpadded');
  t.same(decodeRegistryAuth(encodeRegistryAuth({ identitytoken: 'rt', email: '' })), { identitytoken: 'rt' }, 'empty fields dropped');
  t.throws(() => decodeRegistryAuth('!!!not-base64!!!'), { message: /invalid X-Registry-Auth header/ });
  t.equal(kindOf((() => { try { decodeRegistryAuth(Buffer.from('[1]').toString('base64')); } catch (e) { return e; } })()), 'InvalidParameter');
  t.same(credentialsOf({ auth: Buffer.from('bob:se:cret').toString('base64') }), { username: 'bob', password: 'se:cret' }, 'auth field');
  t.same(credentialsOf({ username: 'u', password: 'p', identitytoken: 'i', registrytoken: 'r' }), { username: 'u', password: 'p', identityToken: 'i', registryToken: 'r' });
});

t.test('tokens: parsing and a cache keyed by the whole credentials', async (t) => {
  const tok = parseToken(Buffer.from('{"access_token":"abc","expires_in":100}'), 1000, 'x');
  t.same(tok, { value: 'abc', expiresAt: 1000 + 90_000 });
  t.equal(parseToken(Buffer.from('{"token":"t"}'), 0, 'x').expiresAt, 54_000, 'default lifetime 60 s, used up to 90%');
  t.throws(() => parseToken(Buffer.from('{}'), 0, 'x'), { message: /has no token/ });
  const ch = { scheme: 'bearer', params: { realm: 'http://r/token', service: 's' } };
  const right = TokenCache.key(ch, ['b', 'a'], { username: 'u', password: 'right' });
  t.equal(right, TokenCache.key(ch, ['a', 'b'], { username: 'u', password: 'right' }), 'scope order does not matter');
  t.not(right, TokenCache.key(ch, ['a', 'b'], { username: 'u', password: 'wrong' }), 'a wrong password is another key');
  const cache = new TokenCache();
  let fetches = 0;
  const fetch = async () => ({ value: `t${++fetches}`, expiresAt: Date.now() + 60_000 });
  const [a, b] = await Promise.all([cache.get('k', fetch), cache.get('k', fetch)]);
  t.equal(a.value, 't1');
  t.equal(b.value, 't1', 'concurrent callers share one fetch');
  t.equal((await cache.get('k', fetch)).value, 't1', 'cached');
  cache.drop('k');
  t.equal((await cache.get('k', fetch)).value, 't2', 'dropped → fetched again');
  t.equal((await cache.get('k', fetch, Date.now() + 120_000)).value, 't3', 'expired → fetched again');
});

t.test('registry errors in the project vocabulary', async (t) => {
  const body = '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}';
  t.same(parseErrorBody(body), [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }]);
  t.same(parseErrorBody('<html>'), []);
  t.equal(describeErrors(parseErrorBody(body), 404), 'manifest unknown: manifest unknown');
  t.equal(describeErrors([], 502), 'unexpected status 502');
  const cases: [number, string | undefined, string][] = [
    [404, body, 'NotFound'],
    [401, '{"errors":[{"code":"DENIED","message":"no"}]}', 'Unauthorized'],
    [403, '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}', 'Forbidden'],
    [429, '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}', 'Unavailable'],
    [503, undefined, 'Unavailable'],
    [500, undefined, 'System'],
    [400, '{"errors":[{"code":"DIGEST_INVALID","message":"bad"}]}', 'InvalidParameter'],
    [405, '{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}', 'NotImplemented'],
  ];
  for (const [status, b, kind] of cases) t.equal(responseError('op', status, b).kind, kind, `${status} ${b ?? ''}`);
  t.equal(responseError('pushing x', 400, '{"errors":[{"code":"DIGEST_INVALID","message":"bad"}]}').message, 'pushing x: digest invalid: bad');
});

t.test('catalog pagination and search', async (t) => {
  t.equal(nextLink('</v2/_catalog?last=b&n=2>; rel="next"'), '/v2/_catalog?last=b&n=2');
  t.equal(nextLink('<https://r/v2/_catalog?n=2&last=b>; rel=next'), 'https://r/v2/_catalog?n=2&last=b');
  t.equal(nextLink('</x>; rel="prev", </y>; rel="next"'), '/y');
  t.equal(nextLink(undefined), undefined);
  const hits = searchCatalog('127.0.0.1:5000', ['busybox', 'library/BusyBox-extra', 'alpine'], 'busy');
  t.same(hits.map((h) => h.name), ['127.0.0.1:5000/busybox', '127.0.0.1:5000/library/BusyBox-extra']);
  t.same(hits[0], { name: '127.0.0.1:5000/busybox', description: '', star_count: 0, is_official: false, is_automated: false });
  t.equal(searchCatalog('r', ['a1', 'a2', 'a3'], 'a', 2).length, 2, 'limit');
});

t.test('basic auth: every request that went out anonymously gets its retry, a refused password none', async (t) => {
  const auth = new Authorizer({ got, tokens: new TokenCache(), tlsVerify: true }, { username: 'alice', password: 's3cret' }, []);
  const challenge = 'Basic realm="berth-test"';
  t.ok(auth.challenged(challenge, undefined), 'the first anonymous request');
  t.ok(auth.challenged(challenge, undefined), 'a second one, sent at the same time');
  t.equal(await auth.authorization(), basicAuthorization('alice', 's3cret'));
  t.notOk(auth.challenged(challenge, basicAuthorization('alice', 's3cret')), 'the credentials themselves were refused');
  const anonymous = new Authorizer({ got, tokens: new TokenCache(), tlsVerify: true }, {}, []);
  t.notOk(anonymous.challenged(challenge, undefined), 'nothing to retry with');
});
