import { describe, expect, it } from 'vitest';
import { chartKeys, kpsFullname, readValues, unknownKeys } from '../helpers/values.js';

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
