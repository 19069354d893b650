// What Tempo 2.2.2's metrics generator wrote for the article's templates, rebuilt from the captured Prometheus
// answers (test/fixtures/prometheus, from shared/reference/captures) and re-stamped near "now" so a real
// Prometheus accepts them. Counters get two samples 10 s apart (half, then full) so increase() over the checks' one-minute window sees them rise.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './fakes.js';
import type { Series } from './remote-write.js';

const DIR = join(ROOT, 'test/fixtures/prometheus');
const read = (f: string) => JSON.parse(readFileSync(join(DIR, f), 'utf8'));

interface VectorResult {
  metric: Record<string, string>;
  value: [number, string];
}
interface ExemplarResult {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

function counters(file: string, now: number): Series[] {
  return (read(file).data.result as VectorResult[]).map((r) => {
    const v = Number(r.value[1]);
    return { labels: r.metric, samples: [{ value: Math.floor(v / 2), timestampMs: now - 10_000 }, { value: v, timestampMs: now }] };
  });
}

function buckets(file: string, now: number, withExemplars: boolean): Series[] {
  return (read(file).data as ExemplarResult[]).map((r) => {
    const n = r.exemplars.length;
    const last = Math.max(...r.exemplars.map((e) => e.timestamp));
    return {
      labels: r.seriesLabels,
      samples: [{ value: n, timestampMs: now - 10_000 }, { value: 2 * n, timestampMs: now }],
      // keep each exemplar's distance from the newest one, ending at "now"
      exemplars: withExemplars ? r.exemplars.map((e) => ({ labels: e.labels, value: Number(e.value), timestampMs: Math.round(now - (last - e.timestamp) * 1000) })) : [],
    };
  });
}

export const FILES = {
  requests: 'prom__api_v1_query__query=traces_service_graph_request_total.json',
  /** `sum by (client, server)` of the failed counter, re-captured with xk6 v0.0.2's statuses (only shop-backend → auth-service) */
  failed: 'prom__api_v1_query__failed_by_edge_xk6_v0.0.2_statuses.json',
  calls: 'prom__api_v1_query__query=traces_spanmetrics_calls_total.json',
  latency: 'prom__api_v1_query_exemplars__query=traces_spanmetrics_latency_bucket.json',
  server: 'prom__api_v1_query_exemplars__query=traces_service_graph_request_server_seconds_bucket.json',
  client: 'prom__api_v1_query_exemplars__query=traces_service_graph_request_client_seconds_bucket.json',
};

/**
 * The failed counter per edge. Its capture is summed by (client, server); each series gets the other labels of the
 * same edge's request_total series (the generator writes both with one label set: grafana/tempo@v2.2.2
 * modules/generator/processor/servicegraphs/servicegraphs.go).
 */
function failedCounters(now: number): Series[] {
  const requests = counters(FILES.requests, now);
  return counters(FILES.failed, now).map((f) => {
    const twin = requests.find((r) => r.labels.client === f.labels.client && r.labels.server === f.labels.server);
    if (!twin) throw new Error(`no request_total series for ${f.labels.client} → ${f.labels.server}`);
    return { ...f, labels: { ...twin.labels, __name__: 'traces_service_graph_request_failed_total' } };
  });
}

export function serviceGraphSeries(now: number, withExemplars = true): Series[] {
  return [...counters(FILES.requests, now), ...failedCounters(now), ...buckets(FILES.server, now, withExemplars), ...buckets(FILES.client, now, withExemplars)];
}

export function spanMetricsSeries(now: number, withExemplars = true): Series[] {
  return [...counters(FILES.calls, now), ...buckets(FILES.latency, now, withExemplars)];
}

/** Every series of the capture, as one remote-write batch. */
export function generatorSeries(now = Date.now(), withExemplars = true): Series[] {
  return [...serviceGraphSeries(now, withExemplars), ...spanMetricsSeries(now, withExemplars)];
}
