import t from 'tap';
import { parseManifest } from '../../actors/services/registry/manifests.js';
import { checkConfig } from '../../actors/services/registry/validate.js';
import { MediaType } from '../../protocol/types/image.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const desc = (mediaType: string, c: string) => ({ mediaType, digest: D(c), size: 10 });
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

t.test('manifest documents: types, inference, refusals', async (t) => {
  const oci = { schemaVersion: 2, config: desc(MediaType.OciConfig, 'a'), layers: [desc(MediaType.OciLayerGzip, 'b')] };
  t.equal(parseManifest(json(oci), MediaType.OciManifest, 'x').mediaType, MediaType.OciManifest, 'from Content-Type');
  t.equal(parseManifest(json(oci), 'application/json', 'x').mediaType, MediaType.OciManifest, 'inferred when the header says nothing');
  t.equal(parseManifest(json({ schemaVersion: 2, manifests: [] }), undefined, 'x').mediaType, MediaType.OciIndex, 'index inferred');
  const docker = { ...oci, mediaType: MediaType.DockerManifest };
  t.equal(parseManifest(json(docker), `${MediaType.DockerManifest}; charset=utf-8`, 'x').mediaType, MediaType.DockerManifest, 'parameters ignored');
  t.throws(() => parseManifest(json(docker), MediaType.OciManifest, 'x'), { message: /says it is .* but was served as/ });
  t.throws(() => parseManifest(json({ schemaVersion: 1, mediaType: MediaType.DockerSchema1Signed }), undefined, 'old:1'), {
    kind: 'NotImplemented',
    message: /schema 1/,
  });
  t.throws(() => parseManifest(Buffer.from('{'), undefined, 'x'), { message: 'manifest for x is not valid JSON' });
  t.throws(() => parseManifest(json({ ...oci, layers: [{ mediaType: 'm', digest: 'sha256:zz', size: 1 }] }), MediaType.OciManifest, 'x'), { kind: 'System', message: /layer 0: invalid digest/ });
  t.throws(() => parseManifest(json({ ...oci, config: { ...oci.config, size: -1 } }), MediaType.OciManifest, 'x'), { message: /config: invalid size/ });
  t.throws(() => parseManifest(json({ ...oci, mediaType: 'application/vnd.example+json' }), undefined, 'x'), { kind: 'NotImplemented', message: /unsupported media type/ });
});

t.test('image configs', async (t) => {
  const good = { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [D('c')] }, config: { Cmd: ['sh'] } };
  t.same(checkConfig(good, 'cfg').config?.Cmd, ['sh']);
  t.throws(() => checkConfig({ ...good, rootfs: { type: 'other', diff_ids: [] } }, 'cfg'), { message: 'cfg has no rootfs of type layers' });
  t.throws(() => checkConfig({ ...good, rootfs: { type: 'layers', diff_ids: ['x'] } }, 'cfg'), { message: /invalid diff_id/ });
  t.throws(() => checkConfig({ rootfs: good.rootfs }, 'cfg'), { message: 'cfg lacks os or architecture' });
});
