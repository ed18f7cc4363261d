import t from 'tap';
import type { Descriptor, Platform } from '../../protocol/types/image.js';
import {
  compatiblePlatforms,
  formatPlatform,
  hostPlatform,
  normalizePlatform,
  parsePlatform,
  platformMatches,
  selectPlatform,
} from '../../actors/services/registry/platform.js';
import { endpointsFor, hostnameOf, isInsecure, normalizeMirror } from '../../actors/services/registry/endpoints.js';

const entry = (architecture: string, variant?: string, os = 'linux'): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${(architecture + (variant ?? '') + os).padEnd(64, '0').slice(0, 64).replace(/[^0-9a-f]/g, 'a')}`,
  size: 1,
  platform: variant ? { os, architecture, variant } : { os, architecture },
});

t.test('normalization and formatting', async (t) => {
  t.same(normalizePlatform({ os: 'Linux', architecture: 'x86_64' }), { os: 'linux', architecture: 'amd64' });
  t.same(normalizePlatform({ os: 'linux', architecture: 'aarch64' }), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  t.same(normalizePlatform({ os: 'linux', architecture: 'arm64', variant: '8' }), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  t.same(normalizePlatform({ os: 'linux', architecture: 'armhf' }), { os: 'linux', architecture: 'arm', variant: 'v7' });
  t.same(normalizePlatform({ os: 'linux', architecture: 'arm' }), { os: 'linux', architecture: 'arm', variant: 'v7' });
  t.same(normalizePlatform({ os: 'linux', architecture: 'amd64', variant: 'v1' }), { os: 'linux', architecture: 'amd64' });
  t.equal(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }), 'linux/arm/v7');
  t.same(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  t.same(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v6' });
  t.same(parsePlatform('linux'), normalizePlatform(hostPlatform()));
  t.equal(parsePlatform('arm64').architecture, 'arm64', 'a bare architecture');
  t.throws(() => parsePlatform('linux//x'), { message: /unknown operating system or architecture/ });
  t.equal(hostPlatform().os, 'linux');
});

t.test('what a host runs, best first', async (t) => {
  const amd64 = compatiblePlatforms({ os: 'linux', architecture: 'amd64' }).map(formatPlatform);
  t.same(amd64, ['linux/amd64', 'linux/386']);
  t.same(compatiblePlatforms({ os: 'linux', architecture: 'amd64', variant: 'v3' }).map(formatPlatform), ['linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64', 'linux/386']);
  t.same(compatiblePlatforms({ os: 'linux', architecture: 'arm64' }).map(formatPlatform), ['linux/arm64/v8', 'linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
  t.same(compatiblePlatforms({ os: 'linux', architecture: 'arm', variant: 'v6' }).map(formatPlatform), ['linux/arm/v6', 'linux/arm/v5']);
  t.ok(platformMatches({ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'x86_64' }));
  t.notOk(platformMatches({ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'amd64', variant: 'v2' }), 'a plain amd64 host does not run v2');
  t.notOk(platformMatches({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: 'v7' }));
  t.notOk(platformMatches({ os: 'linux', architecture: 'amd64' }, { os: 'windows', architecture: 'amd64' }));
});

t.test('selecting an index entry', async (t) => {
  const entries = [entry('386'), entry('arm', 'v7'), entry('arm64', 'v8'), entry('amd64'), entry('amd64', undefined, 'windows')];
  const pick = (p: Platform) => selectPlatform(entries, p)?.platform;
  t.same(pick({ os: 'linux', architecture: 'amd64' }), { os: 'linux', architecture: 'amd64' }, 'exact beats 386 even when listed later');
  t.same(pick({ os: 'linux', architecture: 'arm64' }), { os: 'linux', architecture: 'arm64', variant: 'v8' }, 'arm64 without variant is v8');
  t.same(pick({ os: 'linux', architecture: 'arm', variant: 'v8' }), { os: 'linux', architecture: 'arm', variant: 'v7' }, 'arm v8 falls back to v7');
  t.same(pick({ os: 'windows', architecture: 'amd64' }), { os: 'windows', architecture: 'amd64' });
  t.equal(pick({ os: 'linux', architecture: 's390x' }), undefined, 'nothing for s390x');
  const onlyOld = [entry('386')];
  t.same(selectPlatform(onlyOld, { os: 'linux', architecture: 'amd64' })?.platform, { os: 'linux', architecture: '386' }, 'amd64 runs 386');
  const attestation: Descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'f'.repeat(64)}`, size: 1, platform: { os: 'unknown', architecture: 'unknown' } };
  const noPlatform: Descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'e'.repeat(64)}`, size: 1 };
  t.same(selectPlatform([attestation, noPlatform, entry('amd64')], { os: 'linux', architecture: 'amd64' })?.platform?.architecture, 'amd64', 'attestations and platform-less entries are skipped');
  t.ok(selectPlatform([entry(hostPlatform().architecture, hostPlatform().variant)]), 'the default is this host');
});

t.test('insecure registries and endpoints, as dockerd decides', async (t) => {
  t.equal(hostnameOf('127.0.0.1:5000'), '127.0.0.1');
  t.equal(hostnameOf('[::1]:5000'), '::1');
  t.equal(hostnameOf('registry.example.com'), 'registry.example.com');
  t.ok(await isInsecure('127.0.0.1:5000'), 'loopback always');
  t.ok(await isInsecure('127.3.4.5'), '127/8');
  t.ok(await isInsecure('[::1]:5000'), '::1');
  t.ok(await isInsecure('localhost:5000'));
  t.notOk(await isInsecure('10.1.2.3:5000'));
  t.ok(await isInsecure('10.1.2.3:5000', ['10.0.0.0/8']), 'CIDR');
  t.ok(await isInsecure('myreg:5000', ['myreg:5000']), 'host:port');
  t.ok(await isInsecure('myreg:5000', ['myreg']), 'host');
  t.notOk(await isInsecure('docker.io', ['10.0.0.0/8']));
  t.throws(() => normalizeMirror('ftp://m'), { message: /unsupported scheme/ });
  t.throws(() => normalizeMirror('http://m/path'), { message: /path/ });
  t.equal(normalizeMirror('http://127.0.0.1:5001/'), 'http://127.0.0.1:5001');
  const hub = await endpointsFor('docker.io', { mirrors: ['http://127.0.0.1:5001'] }, true);
  t.same(hub.map((e) => [e.url, e.mirror, e.tlsVerify]), [
    ['http://127.0.0.1:5001', true, false],
    ['https://registry-1.docker.io', false, true],
  ]);
  t.same((await endpointsFor('docker.io', { mirrors: ['http://127.0.0.1:5001'] }, false)).map((e) => e.url), ['https://registry-1.docker.io'], 'no mirrors for push');
  t.same((await endpointsFor('127.0.0.1:5000', {}, true)).map((e) => [e.url, e.tlsVerify]), [
    ['https://127.0.0.1:5000', false],
    ['http://127.0.0.1:5000', false],
  ]);
  t.same((await endpointsFor('10.0.0.1:5000', {}, true)).map((e) => e.url), ['https://10.0.0.1:5000'], 'a secure registry is HTTPS only');
});
