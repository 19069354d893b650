// The fault matrix's rows (test/real/fault-matrix.test.ts and bench/fault-matrix.ts share them): each fault the
// workbook knows, how it is put into a real Tempo 2.2.2 / Prometheus 2.42, which chapters' checks a learner would
// verify, and what each check must end as. `hints`: the checks the fault breaks, with what their hint must name.
import type { ItemResult } from '../../scripts/core/engine.js';
import type { Chapter, UrlName } from '../../scripts/core/model.js';
import { CATALOG } from '../../scripts/core/catalog.js';
import { Session, nullStore } from '../../scripts/core/session.js';
import { runChapters } from '../../scripts/core/runner.js';
import { DEFAULT_TIMEOUT_MS } from '../../scripts/cli/settings.js';
import { EDGES } from '../../chapters/06-metrics-generator/index.js';
import { SERVICES } from '../../scripts/lab/shop.js';
import { testContext, testLab } from './context.js';
import { startTempo, type RealTempo, type TempoOptions } from './real-tempo.js';
import { startPrometheus } from './prometheus.js';
import { startTraffic } from './real-lab.js';
import { freePort } from '../../scripts/effects/portforward.js';

export interface FaultRow {
  id: string;
  what: string;
  layout: 'monolithic' | 'microservices';
  /** the checks verified, by chapter (grafana's checks aside: no Grafana runs here) */
  verify: Record<string, string[] | 'all'>;
  prometheus?: { receiver?: boolean; exemplars?: boolean };
  tempo?: (promUrl: string) => TempoOptions;
  /** a Tempo URL where nothing listens */
  tempoUrl?: 'closed';
  /** what must have landed before the learner verifies (the fault shows only then) */
  waitFor?: 'edges' | 'span-metrics';
  /** microservices: ingesters killed (SIGKILL, a crashed pod) before this row */
  kill?: string[];
  /** microservices: the query-frontend's URL alone, as if it were the distributor too */
  distributor?: 'query-frontend';
  expect: Record<string, ItemResult['status']>;
  hints: Record<string, RegExp>;
  /** a broken check may look a few times while the real signal appears (the generator's first write) */
  maxAttempts?: number;
  /** monolithic: the traffic stopped once the data landed, this long before the learner verifies */
  stopTrafficMs?: number;
  /** microservices: this long after the kill before the learner verifies (a fault that shows only with time) */
  afterKillMs?: number;
}

const CH2 = ['prometheus-ready', 'remote-write-receiver', 'exemplar-storage'];
const CH6_REST = ['service-graph-edges', 'failed-requests', 'span-metrics', 'exemplars', 'exemplar-to-trace'];
/** A chapter's checks by id, from the catalog (a check added there is a row's check here too). */
const idsOf = (chapter: string) => CATALOG.find((c) => c.id === chapter)!.checks.filter((c) => c.tempo !== 3).map((c) => c.id);
const all = (chapter: string, ids: string[], status: ItemResult['status']) => Object.fromEntries(ids.map((id) => [`${chapter}/${id}`, status]));

export const FAULTS: FaultRow[] = [
  {
    id: 'processors-missing',
    what: 'no processors in the overrides: series fail naming them, the rest of chapter 6 is blocked',
    layout: 'monolithic',
    verify: { 'metrics-generator': 'all' },
    tempo: (p) => ({ remoteWrite: p, processors: [] }),
    expect: { 'metrics-generator/series': 'failed', ...all('metrics-generator', CH6_REST, 'blocked') },
    hints: { 'metrics-generator/series': /metrics_generator_processors/ },
  },
  {
    id: 'send-exemplars-off',
    what: 'send_exemplars: false: exemplars fail naming it, exemplar-to-trace is blocked, the rest pass',
    layout: 'monolithic',
    verify: { 'metrics-generator': 'all' },
    tempo: (p) => ({ remoteWrite: p, sendExemplars: false }),
    waitFor: 'edges',
    expect: { ...all('metrics-generator', ['series', 'service-graph-edges', 'failed-requests', 'span-metrics'], 'passed'), 'metrics-generator/exemplars': 'failed', 'metrics-generator/exemplar-to-trace': 'blocked' },
    hints: { 'metrics-generator/exemplars': /send_exemplars/ },
  },
  {
    id: 'exemplar-storage-off',
    what: 'Prometheus without exemplar-storage: chapter 2 and the exemplars check name it, exemplar-to-trace is blocked',
    layout: 'monolithic',
    verify: { prometheus: CH2, 'metrics-generator': 'all' },
    prometheus: { exemplars: false },
    waitFor: 'edges',
    expect: {
      'prometheus/prometheus-ready': 'passed',
      'prometheus/remote-write-receiver': 'passed',
      'prometheus/exemplar-storage': 'failed',
      ...all('metrics-generator', ['series', 'service-graph-edges', 'failed-requests', 'span-metrics'], 'passed'),
      'metrics-generator/exemplars': 'failed',
      'metrics-generator/exemplar-to-trace': 'blocked',
    },
    hints: { 'prometheus/exemplar-storage': /exemplar-storage/, 'metrics-generator/exemplars': /exemplar-storage/ },
  },
  {
    id: 'receiver-off',
    what: 'Prometheus without the remote-write receiver: chapter 2 and the series check name it, the rest of chapter 6 is blocked',
    layout: 'monolithic',
    verify: { prometheus: CH2, 'metrics-generator': 'all' },
    prometheus: { receiver: false },
    expect: {
      'prometheus/prometheus-ready': 'passed',
      'prometheus/remote-write-receiver': 'failed',
      'prometheus/exemplar-storage': 'passed',
      'metrics-generator/series': 'failed',
      ...all('metrics-generator', CH6_REST, 'blocked'),
    },
    hints: { 'prometheus/remote-write-receiver': /enableRemoteWriteReceiver/, 'metrics-generator/series': /remote-write receiver off|enableRemoteWriteReceiver/ },
  },
  {
    id: 'wrong-remote-write-path',
    what: 'remote_write at /api/v1/push: Prometheus answers 404, the series check names the URL and the path',
    layout: 'monolithic',
    verify: { 'metrics-generator': 'all' },
    tempo: (p) => ({ remoteWriteUrl: `${p}/api/v1/push` }),
    expect: { 'metrics-generator/series': 'failed', ...all('metrics-generator', CH6_REST, 'blocked') },
    hints: { 'metrics-generator/series': /refuses them .*path is \/api\/v1\/push, not \/api\/v1\/write/ },
    maxAttempts: 12,
  },
  {
    id: 'remote-write-host-unresolvable',
    what: 'remote_write to a host that does not resolve: the series check names the URL and the resolution failures',
    layout: 'monolithic',
    verify: { 'metrics-generator': 'all' },
    tempo: () => ({ remoteWriteUrl: 'http://prometheus-stack-prometheus.nowhere.invalid:9090/api/v1/write', loopbackDns: true }),
    expect: { 'metrics-generator/series': 'failed', ...all('metrics-generator', CH6_REST, 'blocked') },
    hints: { 'metrics-generator/series': /cannot deliver them to http:\/\/prometheus-stack-prometheus\.nowhere\.invalid:9090\/api\/v1\/write: the host name does not resolve/ },
    maxAttempts: 12,
  },
  {
    id: 'tempo-unreachable',
    what: 'Prometheus up, nothing at --tempo-url: the series check says Tempo cannot be reached',
    layout: 'monolithic',
    verify: { 'metrics-generator': 'all' },
    // Tempo writes nowhere: Prometheus holds no traces_* series
    tempo: () => ({}),
    tempoUrl: 'closed',
    expect: { 'metrics-generator/series': 'failed', ...all('metrics-generator', CH6_REST, 'blocked') },
    hints: { 'metrics-generator/series': /Tempo cannot be asked why: .*ECONNREFUSED/ },
  },
  {
    id: 'multitenancy-on',
    what: 'multi-tenancy on: every query answers 401 "no org id"; the traces checks name multi-tenancy at once',
    layout: 'monolithic',
    verify: { traces: 'all' },
    tempo: (p) => ({ remoteWrite: p, multitenancy: true }),
    expect: all('traces', idsOf('traces'), 'failed'),
    hints: Object.fromEntries(idsOf('traces').map((c) => [`traces/${c}`, /^Multi-tenancy is on \(multitenancy_enabled: true, read from Tempo's \/status\/config\)/])),
  },
  {
    id: 'one-processor-of-two',
    what: 'span-metrics but not service-graphs among the processors: the edges check names the missing processor',
    layout: 'monolithic',
    verify: { 'metrics-generator': 'all' },
    tempo: (p) => ({ remoteWrite: p, processors: ['span-metrics'] }),
    waitFor: 'span-metrics',
    expect: { 'metrics-generator/series': 'passed', 'metrics-generator/service-graph-edges': 'failed', 'metrics-generator/failed-requests': 'failed', 'metrics-generator/span-metrics': 'passed', 'metrics-generator/exemplars': 'passed', 'metrics-generator/exemplar-to-trace': 'passed' },
    hints: { 'metrics-generator/service-graph-edges': /service-graphs is not among the processors/, 'metrics-generator/failed-requests': /service-graphs is not among the processors/ },
  },
  {
    id: 'traffic-stopped',
    what: 'the traffic stopped a minute ago: spans-received and the edges say no span reaches Tempo',
    layout: 'monolithic',
    verify: { traffic: ['spans-received'], 'metrics-generator': ['series', 'service-graph-edges', 'span-metrics'] },
    tempo: (p) => ({ remoteWrite: p }),
    waitFor: 'edges',
    stopTrafficMs: 65_000,
    expect: { 'traffic/spans-received': 'failed', 'metrics-generator/series': 'passed', 'metrics-generator/service-graph-edges': 'failed', 'metrics-generator/span-metrics': 'failed' },
    hints: { 'traffic/spans-received': /receives no spans/, 'metrics-generator/service-graph-edges': /^No span reached Tempo/, 'metrics-generator/span-metrics': /^No span reached Tempo/ },
  },
  {
    id: 'query-frontend-as-distributor',
    what: 'verify tempo and traffic with only the query-frontend\'s URL: the ring and spans checks name --distributor-url',
    layout: 'microservices',
    distributor: 'query-frontend',
    verify: { tempo: 'all', traffic: 'all' },
    expect: { 'tempo/pods': 'not-applicable', 'tempo/ready': 'passed', 'tempo/ingester-ring': 'failed', 'tempo/block-retention': 'passed', 'traffic/generator-running': 'not-applicable', 'traffic/spans-received': 'failed' },
    hints: { 'tempo/ingester-ring': /not a distributor \(its \/status\/config says target: query-frontend\).*--distributor-url/, 'traffic/spans-received': /not a distributor.*--distributor-url/ },
  },
  {
    id: 'one-ingester-down',
    what: 'one of three ingesters killed: the ring names it as not heartbeating, writes keep their quorum',
    layout: 'microservices',
    kill: ['ingester-2'],
    verify: { tempo: 'all', traffic: 'all' },
    expect: { 'tempo/pods': 'not-applicable', 'tempo/ready': 'passed', 'tempo/ingester-ring': 'failed', 'tempo/block-retention': 'passed', 'traffic/generator-running': 'not-applicable', 'traffic/spans-received': 'passed' },
    hints: { 'tempo/ingester-ring': /^Not every ingester can take writes: ingester-2 (not heartbeating for \d+ s|UNHEALTHY).*Writes keep their quorum.*2 are ACTIVE and heartbeating/ },
  },
  {
    id: 'two-ingesters-down',
    what: 'two of three ingesters killed: quorum lost, named by the ring and by the discarded spans',
    layout: 'microservices',
    kill: ['ingester-1'],
    verify: { tempo: 'all', traffic: 'all' },
    expect: { 'tempo/pods': 'not-applicable', 'tempo/ready': 'passed', 'tempo/ingester-ring': 'failed', 'tempo/block-retention': 'passed', 'traffic/generator-running': 'not-applicable', 'traffic/spans-received': 'failed' },
    hints: { 'tempo/ingester-ring': /^Quorum lost: only 1 of 3 ingesters are ACTIVE and heartbeating/, 'traffic/spans-received': /^Quorum lost/ },
  },
  {
    id: 'querier-killed',
    what: 'the querier killed: searches through the query-frontend wait in its queue; named from its own gauge',
    layout: 'microservices',
    kill: ['querier'],
    verify: { traces: ['service-names', 'search-tags'] },
    expect: { 'traces/service-names': 'failed', 'traces/search-tags': 'failed' },
    hints: { 'traces/service-names': /no querier to run them/, 'traces/search-tags': /no querier to run them/ },
  },
  {
    id: 'generator-killed',
    what: 'the metrics generator killed: the series check says its newest sample is too old, the rest is blocked',
    layout: 'microservices',
    kill: ['metrics-generator'],
    afterKillMs: 32_000,
    verify: { 'metrics-generator': 'all' },
    expect: { 'metrics-generator/series': 'failed', ...all('metrics-generator', CH6_REST, 'blocked') },
    hints: { 'metrics-generator/series': /stopped writing/ },
  },
];

export interface RowResult {
  items: Record<string, ItemResult>;
  wallMs: number;
}

/** `verify` of the row's chapters through the one run loop, in process, with the default timeout. */
export async function runFaultRow(row: FaultRow, urls: Partial<Record<UrlName, string>>): Promise<RowResult> {
  const ctx = await testContext(testLab({ urls, timeoutMs: DEFAULT_TIMEOUT_MS }));
  const chapters: Chapter[] = Object.entries(row.verify).map(([id, ids]) => {
    const ch = CATALOG.find((c) => c.id === id)!;
    // the matrix runs Tempo 2.2.2: 'all' is every check of the article's Tempo (Tempo 3's do not apply to it)
    return { ...ch, checks: ids === 'all' ? ch.checks.filter((c) => c.tempo !== 3) : ch.checks.filter((c) => ids.includes(c.id)) };
  });
  const session = new Session(ctx, nullStore(), 'verify');
  const t0 = Date.now();
  await runChapters(chapters, session);
  const wallMs = Date.now() - t0;
  return { items: Object.fromEntries(session.items.map((i) => [`${i.chapter.id}/${i.id}`, i.result])), wallMs };
}

/** Ask until `fn` gives a value (its errors count as not yet), every 500 ms, for at most `ms`. */
export async function poll<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms / 1000} s${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function vector(promUrl: string, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
  return ((await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
}

/** Wait until what the chapter-6 checks read has landed: every edge rising, the failed edge, span metrics for every service. */
export async function waitForData(promUrl: string, _tempoUrl: string, what: 'edges' | 'span-metrics', withinMs = 240_000): Promise<void> {
  if (what === 'span-metrics') {
    await poll('span metrics for every service', withinMs, async () => ((await vector(promUrl, 'sum by (service) (traces_spanmetrics_calls_total) > 0')).length >= SERVICES.length ? true : undefined));
    return;
  }
  // a bound, not a timing: on a machine busy with the whole suite and two hogs the first edges took over 90 s once
  await poll('every service-graph edge rising, the 403 edge failing, span metrics for every service', withinMs, async () => {
    const [edges, failed, spans] = await Promise.all([
      vector(promUrl, 'sum by (client, server) (increase(traces_service_graph_request_total[5m])) > 0'),
      vector(promUrl, 'sum by (client, server) (traces_service_graph_request_failed_total) > 0'),
      vector(promUrl, 'sum by (service) (traces_spanmetrics_calls_total) > 0'),
    ]);
    return edges.length >= EDGES.length && failed.length >= 1 && spans.length >= SERVICES.length ? true : undefined;
  });
}

/** Wait until the distributor's ring shows each named ingester's heartbeat as old (or the member UNHEALTHY). */
export async function waitStale(distributorUrl: string, names: string[], staleAfterS = 6): Promise<void> {
  await poll(`${names.join(', ')} not heartbeating`, 60_000, async () => {
    const r = await fetch(`${distributorUrl}/ingester/ring`, { headers: { Accept: 'application/json' } });
    const body = (await r.json()) as { now?: string; shards?: { id: string; state: string; timestamp?: string }[] };
    const now = Date.parse(body.now ?? '') || Date.now();
    const stale = (body.shards ?? []).filter((s) => s.state === 'UNHEALTHY' || now - Date.parse(s.timestamp ?? '') > (staleAfterS + 1) * 1000).map((s) => s.id);
    return names.every((n) => stale.includes(n)) ? true : undefined;
  });
}

/**
 * A monolithic row from start to end: its Prometheus and Tempo (with the fault), the shop's traffic, what must have
 * landed, then `verify`; everything stopped after. `logs`: Tempo's, for a row that needs explaining.
 */
export async function runMonolithicRow(row: FaultRow): Promise<RowResult & { logs: string }> {
  // a lab whose first data never lands (seen twice under the whole suite and two hogs) is started afresh once
  try {
    return await runMonolithicRowOnce(row, 120_000);
  } catch (err) {
    if (!/did not happen within/.test((err as Error).message)) throw err;
    console.log(`${row.id}: ${(err as Error).message}; starting its lab afresh once`);
    return runMonolithicRowOnce(row, 240_000);
  }
}

async function runMonolithicRowOnce(row: FaultRow, dataWithinMs: number): Promise<RowResult & { logs: string }> {
  const prom = await startPrometheus({ receiver: row.prometheus?.receiver ?? true, exemplars: row.prometheus?.exemplars ?? true });
  let tempo: RealTempo | undefined;
  let traffic: ReturnType<typeof startTraffic> | undefined;
  try {
    tempo = await startTempo(row.tempo?.(prom.url) ?? { remoteWrite: prom.url });
    traffic = startTraffic(tempo.otlpUrl, { rate: 10 });
    if (row.waitFor) await waitForData(prom.url, tempo.url, row.waitFor, dataWithinMs);
    if (row.stopTrafficMs !== undefined) {
      await traffic.stop();
      traffic = undefined;
      await new Promise((r) => setTimeout(r, row.stopTrafficMs));
    }
    const urls = { prometheus: prom.url, tempo: row.tempoUrl === 'closed' ? `http://127.0.0.1:${await freePort()}` : tempo.url };
    return { ...(await runFaultRow(row, urls)), logs: tempo.logs() };
  } finally {
    await traffic?.stop();
    await tempo?.stop();
    await prom.stop();
  }
}

/** A microservices row on a running lab: its ingesters killed (and seen not heartbeating), then `verify`. */
export async function runMicroservicesRow(row: FaultRow, tempo: RealTempo, promUrl?: string): Promise<RowResult> {
  for (const name of row.kill ?? []) await tempo.kill(name);
  // a killed ingester looks ACTIVE until its heartbeat is old: the learner's verify comes after that
  const ingesters = (row.kill ?? []).filter((n) => n.startsWith('ingester'));
  if (ingesters.length) await waitStale(tempo.distributorUrl, ingesters);
  if (row.afterKillMs) await new Promise((r) => setTimeout(r, row.afterKillMs));
  return runFaultRow(row, row.distributor === 'query-frontend' ? { tempo: tempo.url } : { tempo: tempo.url, distributor: tempo.distributorUrl, ...(promUrl ? { prometheus: promUrl } : {}) });
}
