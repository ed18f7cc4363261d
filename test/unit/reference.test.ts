import t from 'tap';
import { kindOf } from '../../protocol/errdefs.js';
import {
  familiarName,
  familiarString,
  isDigest,
  parseNormalizedNamed,
  parseReference,
  referenceString,
  withDefaultTag,
  withTagOrDigest,
} from '../../protocol/reference.js';

const D = 'sha256:' + 'a'.repeat(64);

t.test('normalized parsing: what docker pull accepts, and what it means', async (t) => {
  const good: [string, string, string][] = [
    // input, full reference, familiar form
    ['busybox', 'docker.io/library/busybox', 'busybox'],
    ['busybox:latest', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['library/busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['docker.io/busybox', 'docker.io/library/busybox', 'busybox'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox', 'busybox'],
    ['user/app:v1', 'docker.io/user/app:v1', 'user/app:v1'],
    ['docker.io/library/a/b', 'docker.io/library/a/b', 'library/a/b'],
    ['127.0.0.1:5000/x/y:tag', '127.0.0.1:5000/x/y:tag', '127.0.0.1:5000/x/y:tag'],
    ['localhost/app', 'localhost/app', 'localhost/app'],
    ['localhost:5000/app', 'localhost:5000/app', 'localhost:5000/app'],
    ['registry.example.com/a_b/c__d/e-f--g.h', 'registry.example.com/a_b/c__d/e-f--g.h', 'registry.example.com/a_b/c__d/e-f--g.h'],
    ['[::1]:5000/app:t', '[::1]:5000/app:t', '[::1]:5000/app:t'],
    [`busybox@${D}`, `docker.io/library/busybox@${D}`, `busybox@${D}`],
    [`busybox:1@${D}`, `docker.io/library/busybox:1@${D}`, `busybox:1@${D}`],
    ['foo:5000', 'docker.io/library/foo:5000', 'foo:5000'], // no slash: 5000 is a tag
    ['Foo/bar', 'Foo/bar', 'Foo/bar'], // an uppercase first component is a registry host
    ['busybox:Latest_1.x-y', 'docker.io/library/busybox:Latest_1.x-y', 'busybox:Latest_1.x-y'],
  ];
  for (const [input, full, familiar] of good) {
    const ref = parseNormalizedNamed(input);
    t.equal(referenceString(ref), full, `${input} → ${full}`);
    t.equal(familiarString(ref), familiar, `${input} familiar`);
  }
});

t.test('bad references fail as InvalidParameter with Docker messages', async (t) => {
  const bad: [string, string | RegExp][] = [
    ['', 'invalid reference format'],
    ['Busybox', 'invalid reference format: repository name must be lowercase'],
    ['docker.io/Library/busybox', 'invalid reference format: repository name must be lowercase'],
    ['127.0.0.1:5000/Up', 'invalid reference format: repository name must be lowercase'],
    ['busybox:', 'invalid reference format'],
    ['busybox:-x', 'invalid reference format'],
    [`busybox:${'t'.repeat(129)}`, 'invalid reference format'],
    ['busy box', 'invalid reference format'],
    ['-busybox', 'invalid reference format'],
    ['busybox_', 'invalid reference format'],
    ['a//b', 'invalid reference format'],
    ['busybox@sha256:abc', 'invalid reference format'],
    [`busybox@sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
    [`busybox@sha256:${'a'.repeat(63)}0a`, 'invalid checksum digest length'],
    [`busybox@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    ['a'.repeat(64), /cannot specify 64-byte hexadecimal strings/],
    [`x/${'a'.repeat(260)}`, 'repository name must not be more than 255 characters'],
  ];
  for (const [input, message] of bad) {
    t.throws(() => parseNormalizedNamed(input), { message }, JSON.stringify(input));
    try {
      parseNormalizedNamed(input);
    } catch (err) {
      t.equal(kindOf(err), 'InvalidParameter', `${JSON.stringify(input)} is InvalidParameter`);
    }
  }
});

t.test('raw parse keeps names as written', async (t) => {
  t.same(parseReference('busybox'), { domain: '', path: 'busybox' });
  t.same(parseReference('127.0.0.1:5000/a/b:c'), { domain: '127.0.0.1:5000', path: 'a/b', tag: 'c' });
  t.throws(() => parseReference(''), { message: 'repository name must have at least one component' });
  t.throws(() => parseReference('UP'), { message: 'invalid reference format: repository name must be lowercase' });
});

t.test('default tag, tag parameter, familiar names', async (t) => {
  t.equal(referenceString(withDefaultTag(parseNormalizedNamed('busybox'))), 'docker.io/library/busybox:latest');
  t.equal(referenceString(withDefaultTag(parseNormalizedNamed(`busybox@${D}`))), `docker.io/library/busybox@${D}`);
  const base = parseNormalizedNamed('127.0.0.1:5000/busybox');
  t.equal(familiarString(withTagOrDigest(base, 'oci')), '127.0.0.1:5000/busybox:oci');
  t.equal(familiarString(withTagOrDigest(base, D)), `127.0.0.1:5000/busybox@${D}`);
  t.equal(familiarString(withTagOrDigest(base, '')), '127.0.0.1:5000/busybox');
  t.throws(() => withTagOrDigest(base, 'bad tag'), { message: 'invalid tag format' });
  t.equal(familiarName(parseNormalizedNamed('docker.io/library/a/b')), 'library/a/b');
  t.equal(familiarName(parseNormalizedNamed('user/app')), 'user/app');
  t.ok(isDigest(D));
  t.notOk(isDigest('sha256:xyz'));
});
