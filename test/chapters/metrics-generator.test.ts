import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCheck } from '../../scripts/core/engine.js';
import { CAUSE, checks, edgeTable } from '../../chapters/06-metrics-generator/index.js';
import { startPrometheus, type RealPrometheus } from '../helpers/prometheus.js';
import { startTempoServer, type TempoServer } from '../helpers/tempo-server.js';
import { remoteWrite } from '../helpers/remote-write.js';
import { generatorSeries, spanMetricsSeries } from '../helpers/generator-data.js';
import { testContext, testLab } from '../helpers/context.js';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { fill } from '../../scripts/core/text.js';

const check = (id: string) => checks.find((c) => c.id === id)!;
const ids = checks.map((c) => c.id);

// Four real Prometheus 2.42 processes, each fed (or not) through the real remote-write protocol.
let full: RealPrometheus; // receiver + exemplar storage, everything written
let noExemplars: RealPrometheus; // receiver only: series land, exemplars are dropped
let noReceiver: RealPrometheus; // neither: writes are refused
let unpaired: RealPrometheus; // everything on, but only span metrics were written (no CLIENT/SERVER pairs)
let tempo: TempoServer;

beforeAll(async () => {
  [full, noExemplars, noReceiver, unpaired, tempo] = await Promise.all([
    startPrometheus({ receiver: true, exemplars: true }),
    startPrometheus({ receiver: true, exemplars: false }),
    startPrometheus({ receiver: false, exemplars: false }),
    startPrometheus({ receiver: true, exemplars: true }),
    startTempoServer(),
  ]);
  const now = Date.now();
  expect((await remoteWrite(full.url, generatorSeries(now))).status).toBe(204);
  expect((await remoteWrite(noExemplars.url, generatorSeries(now))).status).toBe(204);
  const refused = await remoteWrite(noReceiver.url, generatorSeries(now));
  expect(refused.status).toBe(404); // "remote write receiver needs to be enabled"
  expect(refused.body).toContain('remote write receiver needs to be enabled');
  expect((await remoteWrite(unpaired.url, spanMetricsSeries(now))).status).toBe(204);
});
afterAll(async () => {
  await Promise.all([full?.stop(), noExemplars?.stop(), noReceiver?.stop(), unpaired?.stop(), tempo?.close()]);
});

async function runAll(prometheus: RealPrometheus, tempoUrl = tempo.url) {
  const ctx = await testContext(testLab({ urls: { prometheus: prometheus.url, tempo: tempoUrl }, timeoutMs: 1500 }));
  return Object.fromEntries(await Promise.all(checks.map(async (c) => [c.id, await executeCheck(c, ctx)] as const)));
}

describe('chapter 6 against a real Prometheus holding what Tempo wrote', () => {
  it('everything on: every check passes, with the edge table and a resolved exemplar', async () => {
    const r = await runAll(full);
    for (const id of ids) expect(r[id]!.status, `${id}: ${r[id]!.evidence}`).toBe('passed');
    // what was written: counters and buckets (the captures hold no _sum/_count for the test to write)
    expect(r.series!.evidence).toBe(
      `${generatorSeries(0).length} series written in the last 1m, 6 metric names: traces_service_graph_request_client_seconds_bucket, traces_service_graph_request_failed_total, traces_service_graph_request_server_seconds_bucket, traces_service_graph_request_total, traces_spanmetrics_calls_total, traces_spanmetrics_latency_bucket`,
    );
    expect(r['service-graph-edges']!.evidence).toBe('5/5 edges rising over 1m');
    expect(r['service-graph-edges']!.details).toMatch(/^edge\s+req\/s\s+failed\/s\nuser → shop-backend\s+\d+\.\d{3}\s+\d+\.\d{3}\n/);
    expect(r['failed-requests']!.evidence).toBe('failed requests only on the 403 path: shop-backend → auth-service (16)');
    expect(r['span-metrics']!.evidence).toMatch(/^calls in the last 1m: shop-backend \d+, auth-service \d+, article-service \d+, postgres \d+, cart-service \d+$/);
    expect(r.exemplars!.evidence).toMatch(/^\d+ exemplars with label traceID in the last 2 min \(spanmetrics_latency_bucket \d+, service_graph_request_server_seconds_bucket \d+, service_graph_request_client_seconds_bucket \d+\)$/);
    expect(r['exemplar-to-trace']!.evidence).toMatch(/^exemplar traceID (312e00f27cf65fb713a9a3fdda809b10|110f0a897a8e08ad31715fece4e78545|423ce86e7d08696bd902f2e23eb96683|b7203383d76e28663a57958ac4d759a8) on traces_\w+\{.*\} → Tempo: \d+ spans/);
  });

  it('without exemplar storage: series pass, exemplars fail naming exemplar-storage', async () => {
    const r = await runAll(noExemplars);
    expect(r.series!.status).toBe('passed');
    expect(r['service-graph-edges']!.status).toBe('passed');
    expect(r.exemplars).toMatchObject({ status: 'failed', hint: CAUSE.exemplarStorageOff, attempts: 1 });
    expect(r.exemplars!.evidence).toContain('series are there, enable-feature=(none)');
    expect(r['exemplar-to-trace']!.status).toBe('failed');
  });

  it('without the receiver: nothing landed, and the diagnosis names the receiver', async () => {
    const r = await runAll(noReceiver);
    expect(r.series).toMatchObject({ status: 'failed', hint: CAUSE.receiverOff, attempts: 1 });
    expect(r.series!.evidence).toBe('no traces_service_graph_* or traces_spanmetrics_* series written in the last 5 min (remote-write receiver off)');
    expect(r['service-graph-edges']!.hint).toEqual(CAUSE.receiverOff);
    expect(r['span-metrics']!.hint).toEqual(CAUSE.receiverOff);
    expect(r['failed-requests']).toMatchObject({ status: 'failed', hint: CAUSE.receiverOff, evidence: 'expected failures on shop-backend → auth-service; found none' });
  });

  it('receiver on but the processors missing from overrides: the diagnosis names the overrides', async () => {
    const noProcessors = await startTempoServer({ config: (t) => t.replace(/ {4}metrics_generator_processors:\n( {8}- [a-z-]+\n)+/g, '    metrics_generator_processors: []\n') });
    const empty = await startPrometheus({ receiver: true, exemplars: true });
    try {
      const r = await runAll(empty, noProcessors.url);
      expect(r.series).toMatchObject({ status: 'failed', hint: fill(CAUSE.processorsMissing, { processors: 'none' }), attempts: 1 });
      expect(r.series!.evidence).toContain('(processors missing from overrides)');
    } finally {
      await Promise.all([noProcessors.close(), empty.stop()]);
    }
  });

  it('span metrics but no service-graph pairs: edges fail naming the span kinds', async () => {
    const r = await runAll(unpaired);
    expect(r['span-metrics']!.status).toBe('passed');
    // Tempo's /status/config (the capture) lists both processors: the spans lack CLIENT/SERVER pairs, and the hint says so
    expect(r['service-graph-edges']).toMatchObject({ status: 'failed', hint: CAUSE.unpaired });
    expect(r['service-graph-edges']!.evidence).toContain('0/5 edges rising over 1m; missing or flat: user → shop-backend');
    expect(r['service-graph-edges']!.evidence).toContain('service-graphs is among Tempo\'s processors');
  });

  it('Prometheus restarted empty, one write of the generator since: the checks that need a rate name the restart and wait; two writes, and the diagnosis is the check\'s own', async () => {
    const young = await startPrometheus({ receiver: true, exemplars: true });
    try {
      // one collection since the restart: one sample per series (a rate needs two)
      const now = Date.now();
      const once = generatorSeries(now).map((s) => ({ ...s, samples: s.samples.slice(-1) }));
      expect((await remoteWrite(young.url, once)).status).toBe(204);
      const r = await runAll(young);
      const edges = r['service-graph-edges']!;
      expect(edges).toMatchObject({ status: 'failed', hint: CAUSE.promRestarted });
      expect(edges.evidence).toMatch(/; Prometheus started \d+ s ago with no data from before: waiting for the generator's next writes \(\d+ s at most\)$/);
      // not final: it is re-probed while the next writes come
      const ctx = await testContext(testLab({ urls: { prometheus: young.url, tempo: tempo.url } }));
      const o = await check('service-graph-edges').probe(ctx);
      expect(o).toMatchObject({ ok: false, hint: CAUSE.promRestarted });
      expect(!o.ok && o.final).toBeFalsy();
      // the series check reads samples, not rates: one write is enough for it
      expect(r.series!.status).toBe('passed');
    } finally {
      await young.stop();
    }
    // the unpaired Prometheus is as young, but holds two writes: its diagnosis stands (the test above)
  });

  it('exemplars whose trace ids Tempo does not hold: fails with the unresolved hint', async () => {
    const empty = await startTempoServer();
    const ctx = await testContext(testLab({ urls: { prometheus: full.url, tempo: `${empty.url}/nothing-here` }, timeoutMs: 300 }));
    try {
      const r = await executeCheck(check('exemplar-to-trace'), ctx);
      expect(r).toMatchObject({ status: 'failed', hint: CAUSE.unresolved });
      expect(r.evidence).toMatch(/^none of \d+ exemplar trace ids opened in Tempo: [0-9a-f]{8}… 404; .*… \d+ more$/);
    } finally {
      await empty.close();
    }
  });

  it('edge table', () => {
    expect(edgeTable([{ edge: 'user → shop-backend', rate: 0.1766, failed: 0.0633 }, { edge: 'a → b' }])).toBe(
      ['edge                    req/s  failed/s', 'user → shop-backend     0.177     0.063', 'a → b                       —         —'].join('\n'),
    );
  });
});

describe('workbook verify metrics-generator (the CLI, explicit endpoints)', () => {
  it('passes and prints the service-graph table', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['verify', 'metrics-generator', '--prometheus-url', full.url, '--tempo-url', tempo.url], world.env({ CI: 'true' }));
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toContain('6/6 passed');
      expect(r.stdout).toMatch(/every service-graph edge of the shop has a rising request count:\n {2}edge +req\/s +failed\/s\n {2}user → shop-backend/);
      // the report carries each check's requests as commands (`manual`); --show-how prints them
      const j = await runCli(['verify', 'metrics-generator', '--prometheus-url', full.url, '--tempo-url', tempo.url, '--json', '-', '--show-how'], world.env({ CI: 'true' }));
      const series = JSON.parse(j.stdout).chapters[0].items.find((i: { id: string }) => i.id === 'series');
      expect(series.manual[0]).toBe(`curl -s -G ${full.url}/api/v1/query --data-urlencode 'query=count by (__name__) ({__name__=~"traces_service_graph_.+|traces_spanmetrics_.+"})' --data-urlencode timeout=20s`);
      expect(j.stderr).toContain('Check it yourself (the requests each check made):');
      expect(j.stderr).toContain(`    $ ${series.manual[0]}`);
    } finally {
      world.cleanup();
    }
  });
});
