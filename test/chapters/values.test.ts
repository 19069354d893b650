import { describe, expect, it } from 'vitest';
import { chartKeys, kpsFullname, readValues, unknownKeys } from '../helpers/values.js';
import { getProfile } from '../../scripts/lab/versions.js';
import { steps as tempoSteps } from '../../chapters/03-tempo/index.js';
import { testLab } from '../helpers/context.js';

describe('manifests/prometheus-stack.values.yaml against kube-prometheus-stack 51.2.0', () => {
  const values = readValues('prometheus-stack.values.yaml');
  it('sets only keys the pinned chart has', () => {
    expect(unknownKeys(values, chartKeys('kube-prometheus-stack-51.2.0.tsv'))).toEqual([]);
  });
  it('the detector itself catches a misspelt key', () => {
    expect(unknownKeys({ prometheus: { prometheusSpec: { enableRemoteWriteReciever: true } } }, chartKeys('kube-prometheus-stack-51.2.0.tsv'))).toEqual(['prometheus.prometheusSpec.enableRemoteWriteReciever']);
  });
  it('switches on exemplar storage and the remote-write receiver', () => {
    expect(values.prometheus.prometheusSpec.enableFeatures).toContain('exemplar-storage');
    expect(values.prometheus.prometheusSpec.enableRemoteWriteReceiver).toBe(true);
  });
  it('makes the Prometheus service the article\'s Tempo URL points at really exist', () => {
    // without the override the service would be "prometheus-stack-kube-prom-prometheus"
    expect(`${kpsFullname('prometheus-stack')}-prometheus`).toBe('prometheus-stack-kube-prom-prometheus');
    expect(`${kpsFullname('prometheus-stack', values.fullnameOverride)}-prometheus`).toBe('prometheus-stack-prometheus');
  });
  it('provisions Tempo (uid tempo) and the exemplar link traceID → tempo', () => {
    expect(values.grafana.sidecar.datasources.exemplarTraceIdDestinations).toEqual({ datasourceUid: 'tempo', traceIdLabelName: 'traceID' });
    const tempo = values.grafana.additionalDataSources.find((d: { uid: string }) => d.uid === 'tempo');
    expect(tempo).toMatchObject({ type: 'tempo', url: 'http://tempo-query-frontend.tracing:3100', jsonData: { serviceMap: { datasourceUid: 'prometheus' }, nodeGraph: { enabled: true } } });
  });
});

/**
 * How tempo-distributed 1.6.5 renders a component's affinity: `{{- with .Values.<c>.affinity }} affinity: {{ tpl . $ }}`
 * (grafana/helm-charts@tempo-distributed-1.6.5 templates/distributor/deployment-distributor.yaml,
 * metrics-generator/deployment-metrics-generator.yaml:107, gateway/deployment-gateway.yaml:100). Go's `with` skips
 * its body for an empty value ("", nil, empty map/list, false, 0).
 */
function renderedAffinity(v: unknown): string | undefined {
  const empty = v === undefined || v === null || v === '' || v === false || v === 0 || (typeof v === 'object' && Object.keys(v as object).length === 0);
  return empty ? undefined : String(v);
}
/** The chart's defaults for these three: a required pod anti-affinity on kubernetes.io/hostname (values.yaml:278, 425, 1625). */
const CHART_DEFAULT = 'podAntiAffinity:\n  requiredDuringSchedulingIgnoredDuringExecution: [topologyKey: kubernetes.io/hostname]';

describe('manifests/tempo-distributed.values.yaml: a one-node lab can roll every Deployment', () => {
  const values = readValues('tempo-distributed.values.yaml');
  const merged = (c: string) => (c in values && 'affinity' in values[c] ? values[c].affinity : CHART_DEFAULT);
  it.each(['distributor', 'metricsGenerator', 'gateway'])('%s renders no affinity, so its surge pod can schedule beside the old one', (c) => {
    expect(values[c].affinity).toBe('');
    expect(renderedAffinity(merged(c))).toBeUndefined();
  });
  it('without the override the chart\'s required anti-affinity would be rendered (the deadlock on one node)', () => {
    expect(renderedAffinity(CHART_DEFAULT)).toContain('requiredDuringSchedulingIgnoredDuringExecution');
    // ingesters keep the chart's soft (preferred) anti-affinity: three fit on one node; the article's values are kept
    expect(values.ingester.affinity).toBeUndefined();
  });
  it('sets only keys the pinned chart has', () => {
    expect(unknownKeys(values, chartKeys('tempo-distributed-1.6.5.tsv'))).toEqual([]);
  });
});

describe('manifests/overlays/tempo-minio.values.yaml (profile article-minio)', () => {
  const overlay = readValues('overlays/tempo-minio.values.yaml');
  it('switches on the bundled MinIO and points the trace backend at its bucket', () => {
    expect(overlay.minio.enabled).toBe(true);
    expect(overlay.storage.trace.backend).toBe('s3');
    expect(overlay.storage.trace.s3).toMatchObject({ bucket: 'tempo-traces', endpoint: 'tempo-minio:9000', access_key: 'grafana-tempo', secret_key: 'supersecret', insecure: true });
  });
  it('uses chart keys, plus storage.trace.s3, which the chart renders into tempo.yaml when backend is s3 (values.yaml:1246–1249)', () => {
    // minio.* are the minio subchart's own keys (checked against minio 8.0.9's in test/lib/dev-check-sources.test.ts)
    const { minio: _sub, ...own } = overlay as Record<string, unknown>;
    expect(unknownKeys(own, chartKeys('tempo-distributed-1.6.5.tsv'))).toEqual(['storage.trace.s3', 'storage.trace.s3.bucket', 'storage.trace.s3.endpoint', 'storage.trace.s3.access_key', 'storage.trace.s3.secret_key', 'storage.trace.s3.insecure']);
  });
  it('is laid over the article\'s values by the profile, after them', () => {
    const p = getProfile('article-minio');
    expect(p.overlays).toEqual({ 'tempo-distributed': ['manifests/overlays/tempo-minio.values.yaml'] });
    expect(p.charts).toEqual(getProfile('article').charts);
    const install = tempoSteps.find((s) => s.id === 'install')!;
    const argv = install.command({ ...testLab(), profile: p }).argv;
    // no --wait with this profile (minio's bucket hook must not wait behind it): test/chapters/minio-profile.test.ts
    expect(argv.slice(argv.indexOf('--values'), argv.indexOf('--timeout'))).toEqual(['--values', 'manifests/tempo-distributed.values.yaml', '--values', 'manifests/overlays/tempo-minio.values.yaml']);
    expect(install.manifestsFor!({ ...testLab(), profile: p })).toEqual(['manifests/tempo-distributed.values.yaml', 'manifests/overlays/tempo-minio.values.yaml']);
    expect(getProfile('article').overlays).toBeUndefined();
  });
});
