import { xk6Manifest } from '../helpers/values.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCheck } from '../../scripts/core/engine.js';
import { formatCommand } from '../../scripts/core/format.js';
import { checks as ch3, COMPONENTS, RETENTION_HINT, steps as ch3steps, durationHours } from '../../chapters/03-tempo/index.js';
import { RING_DEGRADED, RING_QUORUM_LOST } from '../../scripts/lab/tempo.js';
import { fill } from '../../scripts/core/text.js';
import { checks as ch4, NO_SPANS_HINT, steps as ch4steps } from '../../chapters/04-traffic/index.js';
import { counterValue } from '../../scripts/lab/prometheus.js';
import { scriptedShell, testContext, testLab } from '../helpers/context.js';
import { startTempoServer, type TempoServer } from '../helpers/tempo-server.js';
import { chartKeys, kpsFullname, readValues, unknownKeys } from '../helpers/values.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/fakes.js';
import { pod, tempoPods } from '../helpers/scenarios.js';
import { getProfile } from '../../scripts/lab/versions.js';

const find = <T extends { id: string }>(xs: T[], id: string) => xs.find((x) => x.id === id)!;

let tempo: TempoServer;
beforeAll(async () => {
  tempo = await startTempoServer();
});
afterAll(() => tempo.close());

const PODS_CMD = 'kubectl --context kind-tempo-lab get pods --namespace tracing --selector app.kubernetes.io/instance=tempo --output=json';

describe('chapter 3: tempo-distributed values', () => {
  const values = readValues('tempo-distributed.values.yaml');
  it('sets only keys that exist in tempo-distributed 1.6.5', () => {
    expect(unknownKeys(values, chartKeys('tempo-distributed-1.6.5.tsv'))).toEqual([]);
  });
  it('writes to the Prometheus service chapter 2 really creates', () => {
    const url = new URL(values.metricsGenerator.config.storage.remote_write[0].url);
    const promValues = readValues('prometheus-stack.values.yaml');
    expect(url.hostname).toBe(`${kpsFullname('prometheus-stack', promValues.fullnameOverride)}-prometheus.prometheus`);
    expect(url.pathname).toBe('/api/v1/write');
    expect(values.metricsGenerator.config.storage.remote_write[0].send_exemplars).toBe(true);
  });
  it('has the article\'s settings: processors, quorum-safe ingesters, 48h retention', () => {
    expect(values.global_overrides.metrics_generator_processors).toEqual(['service-graphs', 'span-metrics']);
    expect(values.ingester.replicas).toBeGreaterThanOrEqual(values.ingester.config.replication_factor);
    expect(values.ingester.config.replication_factor).toBe(3);
    expect(values.compactor.config.compaction.block_retention).toBe('48h');
    expect(values).toMatchObject({ fullnameOverride: 'tempo', reportingEnabled: false, multitenancyEnabled: false, storage: { trace: { backend: 'local' } } });
    expect(COMPONENTS.ingester).toBe(values.ingester.replicas);
  });
  it('installs the pinned chart with the values, in namespace tracing', () => {
    expect(ch3steps.filter((s) => !s.onlyIf || s.onlyIf.when(testLab())).map((s) => formatCommand(s.command(testLab()).argv))).toEqual([
      'helm repo add grafana https://grafana.github.io/helm-charts --force-update',
      'helm repo update grafana',
      'helm --kube-context kind-tempo-lab upgrade --install tempo grafana/tempo-distributed --version 1.6.5 --namespace tracing --create-namespace --values manifests/tempo-distributed.values.yaml --wait --timeout 10m',
    ]);
  });
});

describe('chapter 3 checks', () => {
  it('pods: every component the article lists is ready', async () => {
    const ctx = await testContext(testLab(), { shell: scriptedShell({ [PODS_CMD]: { stdout: JSON.stringify({ items: tempoPods() }) } }) });
    const r = await executeCheck(find(ch3, 'pods'), ctx);
    expect(r.status).toBe('passed');
    expect(r.evidence).toBe('10/10 pods ready: compactor 1/1, distributor 1/1, gateway 1/1, ingester 3/3, memcached 1/1, metrics-generator 1/1, querier 1/1, query-frontend 1/1');
  });
  it('pods: an ingester pending fails with evidence and hint', async () => {
    const pods = tempoPods();
    pods[5] = pod('tempo-ingester-2', { 'app.kubernetes.io/instance': 'tempo', 'app.kubernetes.io/component': 'ingester' }, false);
    const ctx = await testContext(testLab({ timeoutMs: 300 }), { shell: scriptedShell({ [PODS_CMD]: { stdout: JSON.stringify({ items: pods.filter((p) => p.metadata.name !== 'tempo-gateway-5b9bbd9694-rzzkq') }) } }) });
    const r = await executeCheck(find(ch3, 'pods'), ctx);
    expect(r.status).toBe('failed');
    expect(r.evidence).toContain('8/10 pods ready');
    expect(r.evidence).toContain('gateway 0/1, ingester 2/3');
    expect(r.hint!.en).toContain('kubectl -n tracing get pods');
  });
  it('ready: /ready through the query-frontend (explicit --tempo-url)', async () => {
    const ctx = await testContext(testLab({ urls: { tempo: tempo.url } }));
    expect(await executeCheck(find(ch3, 'ready'), ctx)).toMatchObject({ status: 'passed', evidence: 'GET /ready → 200 ready (Tempo version unknown)' });
  });
  it('ready: Tempo unreachable fails, no crash', async () => {
    const ctx = await testContext(testLab({ urls: { tempo: `http://127.0.0.1:${await freePort()}` }, timeoutMs: 300 }));
    const r = await executeCheck(find(ch3, 'ready'), ctx);
    expect(r.status).toBe('failed');
    expect(r.evidence).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/ready: ECONNREFUSED/);
  });
  it('ingester ring: 3 ACTIVE passes; one UNHEALTHY is named (writes go on); two, and the quorum is lost', async () => {
    const ctx = await testContext(testLab({ urls: { tempo: tempo.url } }));
    expect(await executeCheck(find(ch3, 'ingester-ring'), ctx)).toMatchObject({ status: 'passed', evidence: '3/3 ingesters ACTIVE and heartbeating (replication_factor 3, writes need 2)' });
    for (const [active, hint] of [[2, RING_DEGRADED], [1, RING_QUORUM_LOST]] as const) {
      const degraded = await startTempoServer({ ringActive: active });
      try {
        const ctx2 = await testContext(testLab({ urls: { tempo: degraded.url }, timeoutMs: 300 }));
        const r = await executeCheck(find(ch3, 'ingester-ring'), ctx2);
        const left = [2, 1].slice(0, 3 - active).reverse().map((i) => `tempo-ingester-${i} UNHEALTHY (last heartbeat 60 s ago)`).join(', ');
        expect(r).toMatchObject({ status: 'failed', evidence: `${active}/3 ingesters ACTIVE and heartbeating; cannot take writes: ${left} (replication_factor 3, writes need 2)`, hint: fill(hint, { left, rf: 3, quorum: 2, active }) });
      } finally {
        await degraded.close();
      }
    }
    expect(tempo.requests).toContain('/ingester/ring');
  });
  it('ingester ring: a distributor without the ring page (a query-frontend) says where it looked', async () => {
    const r = await executeCheck(find(ch3, 'ingester-ring'), await testContext(testLab({ urls: { tempo: 'http://127.0.0.1:9' }, timeoutMs: 100 })));
    expect(r.status).toBe('failed');
    expect(r.evidence).toContain('http://127.0.0.1:9/ingester/ring');
  });
  it('block retention: 48h passes; the captured default 24h fails with a hint', async () => {
    const ctx = await testContext(testLab({ urls: { tempo: tempo.url } }));
    expect(await executeCheck(find(ch3, 'block-retention'), ctx)).toMatchObject({ status: 'passed', evidence: 'compactor.compaction.block_retention: 48h0m0s' });
    const dflt = await startTempoServer({ retention: 'captured' });
    try {
      const r = await executeCheck(find(ch3, 'block-retention'), await testContext(testLab({ urls: { tempo: dflt.url } })));
      expect(r).toMatchObject({ status: 'failed', evidence: 'compactor.compaction.block_retention: 24h0m0s', hint: RETENTION_HINT });
    } finally {
      await dflt.close();
    }
    expect(durationHours('48h')).toBe(48);
    expect(durationHours('2880m0s')).toBe(48);
  });
});

describe('chapter 4: traffic', () => {
  it('applies the article\'s Deployment, whose image and endpoint are pinned', () => {
    expect(formatCommand(ch4steps[0]!.command(testLab()).argv)).toBe('kubectl --context kind-tempo-lab apply --namespace tracing --filename manifests/xk6-client-tracing.yaml');
    const dep = xk6Manifest().deployment;
    const c = dep.spec.template.spec.containers[0];
    expect(c.image).toBe(getProfile('article').images['xk6-client-tracing']);
    expect(c.env).toEqual([{ name: 'ENDPOINT', value: 'tempo-distributor.tracing:4317' }]);
    expect(dep.metadata.namespace).toBe('tracing');
  });
  it('generator running: pass and fail', async () => {
    const cmd = 'kubectl --context kind-tempo-lab get pods --namespace tracing --selector app=xk6-tracing --output=json';
    const up = { metadata: { name: 'xk6-tracing-5d8c9' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
    const ok = await executeCheck(find(ch4, 'generator-running'), await testContext(testLab(), { shell: scriptedShell({ [cmd]: { stdout: JSON.stringify({ items: [up] }) } }) }));
    expect(ok).toMatchObject({ status: 'passed', evidence: '1/1 xk6-tracing pods ready (xk6-tracing-5d8c9)' });
    const pulling = { metadata: { name: 'xk6-tracing-5d8c9' }, status: { phase: 'Pending' } };
    const bad = await executeCheck(find(ch4, 'generator-running'), await testContext(testLab({ timeoutMs: 300 }), { shell: scriptedShell({ [cmd]: { stdout: JSON.stringify({ items: [pulling] }) } }) }));
    expect(bad.status).toBe('failed');
    expect(bad.hint!.en).toContain('ghcr.io/grafana/xk6-client-tracing');
  });
  it('spans received: a growing counter passes; a flat one fails with the hint', async () => {
    const instant = { now: () => Date.now(), sleep: async () => {} };
    const ok = await executeCheck(find(ch4, 'spans-received'), await testContext(testLab({ urls: { tempo: tempo.url } }), { clock: instant }));
    expect(ok.status).toBe('passed');
    expect(ok.evidence).toMatch(/^tempo_distributor_spans_received_total (\d+) → (\d+) in 2 s \(\+7\), none discarded$/);
    const flat = await startTempoServer({ spansStep: 0 });
    try {
      const bad = await executeCheck(find(ch4, 'spans-received'), await testContext(testLab({ urls: { tempo: flat.url }, timeoutMs: 100 }), { clock: instant }));
      expect(bad).toMatchObject({ status: 'failed', hint: NO_SPANS_HINT });
      // flat for 2 s, then 8 s more: no traffic, said at once (final, one attempt)
      expect(bad.evidence).toMatch(/(\d+) → \1 in 10 s: no span reached Tempo$/);
      expect(bad.attempts).toBe(1);
    } finally {
      await flat.close();
    }
  });
  it('counterValue reads the captured /metrics page', () => {
    const text = readFileSync(join(ROOT, 'test/fixtures/tempo/tempo__metrics.grep.txt'), 'utf8');
    expect(counterValue(text, 'tempo_distributor_spans_received_total')).toBe(343);
    expect(counterValue(text, 'tempo_metrics_generator_spans_received_total')).toBe(343);
    expect(counterValue(text, 'nope_total')).toBeUndefined();
  });
});
