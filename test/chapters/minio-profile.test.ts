// The article-minio profile installs: the keys minio 8.0.9 reads match Tempo's s3 block, its bucket is made by a
// hook that is not stuck behind --wait, and MinIO's images are prefetched. What can be proven here: the merged
// values and the exact command lines (the FAKE helm and kubectl record them); no cluster runs.
import { describe, expect, it } from 'vitest';
import { mergeValues } from '../../scripts/lab/values.js';
import { getProfile } from '../../scripts/lab/versions.js';
import { FakeWorld, runCli } from '../helpers/fakes.js';

const VALUES = ['manifests/tempo-distributed.values.yaml', 'manifests/overlays/tempo-minio.values.yaml'];

interface Merged {
  minio: { enabled: boolean; accessKey?: string; secretKey?: string; buckets?: { name: string }[] };
  storage: { trace: { backend: string; s3: { bucket: string; endpoint: string; access_key: string; secret_key: string } } };
}

describe('the article-minio profile', () => {
  it('sets the keys minio 8.0.9 reads, equal to what Tempo uses, and a bucket of the name Tempo writes to', () => {
    const v = mergeValues<Merged>(VALUES);
    expect(v.minio.enabled).toBe(true);
    expect(v.storage.trace.backend).toBe('s3');
    expect(v.minio.accessKey).toBe(v.storage.trace.s3.access_key);
    expect(v.minio.secretKey).toBe(v.storage.trace.s3.secret_key);
    expect(v.minio.buckets?.map((b) => b.name)).toContain(v.storage.trace.s3.bucket);
    // minio.fullname for release "tempo" (minio/charts@8.0.9 _helpers.tpl) on its port 9000
    expect(v.storage.trace.s3.endpoint).toBe('tempo-minio:9000');
  });

  it('plan all: Tempo installed without --wait (so minio\'s bucket hook runs at once), then its pods awaited; the article profile keeps --wait', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['plan', 'all', '--profile', 'article-minio'], world.env({ CI: 'true' }));
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      const install = lines.findIndex((l) => l.includes('upgrade --install tempo grafana/tempo-distributed'));
      const wait = lines.findIndex((l) => l.includes('kubectl --context kind-tempo-lab wait --for=condition=Ready pods --selector app.kubernetes.io/instance=tempo --namespace tracing --timeout=10m'));
      expect(install).toBeGreaterThan(0);
      expect(lines[install]).toMatch(/--values manifests\/overlays\/tempo-minio\.values\.yaml --timeout 10m$/);
      expect(lines[install]).not.toContain('--wait');
      expect(wait).toBeGreaterThan(install);
      const plain = await runCli(['plan', 'tempo'], world.env({ CI: 'true' }));
      expect(plain.stdout).toMatch(/upgrade --install tempo grafana\/tempo-distributed .* --wait --timeout 10m/);
      expect(plain.stdout).not.toContain('wait --for=condition=Ready');
    } finally {
      world.cleanup();
    }
  });

  it('prefetches MinIO\'s and its client\'s images (minio 8.0.9\'s defaults) besides the article\'s', () => {
    const article = getProfile('article');
    const minio = getProfile('article-minio');
    expect(minio.images).toEqual({ ...article.images, minio: 'docker.io/minio/minio:RELEASE.2020-12-03T05-49-24Z', 'minio-mc': 'docker.io/minio/mc:RELEASE.2020-11-25T23-04-07Z' });
    expect(minio.installThenWait).toEqual(['tempo-distributed']);
    expect(article.installThenWait).toBeUndefined();
  });
});
