import type { LabContext, Lab, Outcome } from '../core/model.js';
import { fill, type Text } from '../core/text.js';
import { WorkbookError } from '../core/errors.js';
import { z } from 'zod';

/**
 * Tempo says who it is at /status/version: "GET /status/version\ntempo, version 2.2.2 (branch: …" (the real 2.2.2
 * binary; shared/reference captures tempo__status_version.txt, a build without a version string).
 */
export const TEMPO_IDENTITY = {
  name: 'Tempo',
  path: '/status/version',
  read(res: { status: number; body: string }): string | undefined {
    if (res.status !== 200) return undefined;
    const m = /^tempo, version ?(\S*)/m.exec(res.body);
    return m ? m[1] || 'version unknown' : undefined;
  },
};

/** Tempo strips leading zeros from hex trace ids (search results, exemplars); pad before comparing. */
export function padTraceId(id: string): string {
  return id.toLowerCase().padStart(32, '0');
}

/** Span and trace ids in /api/traces JSON are base64. */
export function b64ToHex(b64: string): string {
  return Buffer.from(b64, 'base64').toString('hex');
}

/** Tempo's /api/search answer (grafana/tempo@v2.2.2 pkg/tempopb SearchResponse as JSON): what the workbook reads of it. */
export const SearchResponseSchema = z
  .object({
    traces: z.array(z.object({ traceID: z.string(), rootServiceName: z.string().optional(), rootTraceName: z.string().optional(), startTimeUnixNano: z.string().optional(), durationMs: z.number().optional() }).passthrough()),
    metrics: z.record(z.unknown()).optional(),
  })
  .passthrough();
export type SearchResponse = z.infer<typeof SearchResponseSchema>;
export type SearchTrace = SearchResponse['traces'][number];

export interface FlatSpan {
  service: string;
  name: string;
  kind: string;
  spanId: string;
  parentSpanId?: string;
  traceIdHex: string;
  statusCode?: string;
  attributes: Record<string, string>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface TraceJson {
  batches?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { spans?: RawSpan[] }[];
    instrumentationLibrarySpans?: { spans?: RawSpan[] }[];
  }[];
}
interface RawSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: string;
  status?: { code?: string; message?: string };
  attributes?: KeyValue[];
}

const value = (v: AnyValue) => String(v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue ?? '');

/** /api/traces/<id> JSON → one flat list of spans with their service. */
export function flattenTrace(body: unknown): FlatSpan[] {
  const t = body as TraceJson;
  if (!t || !Array.isArray(t.batches)) throw new Error('trace JSON has no "batches"');
  return t.batches.flatMap((b) => {
    const service = value(b.resource?.attributes?.find((a) => a.key === 'service.name')?.value ?? {}) || '?';
    const groups = b.scopeSpans ?? b.instrumentationLibrarySpans ?? [];
    return groups.flatMap((g) =>
      (g.spans ?? []).map((s) => ({
        service,
        name: s.name,
        kind: s.kind ?? 'SPAN_KIND_UNSPECIFIED',
        spanId: s.spanId,
        parentSpanId: s.parentSpanId || undefined,
        traceIdHex: b64ToHex(s.traceId),
        statusCode: s.status?.code,
        attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, value(a.value)])),
      })),
    );
  });
}

/** "child ← parent" edges of a trace, each side as service:name; the root's parent is ROOT. */
export function traceEdges(spans: FlatSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  return spans.map((s) => {
    const p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    return `${s.service}:${s.name} ← ${p ? `${p.service}:${p.name}` : 'ROOT'}`;
  });
}

export type TempoGet = { status: number; body: string; json?: unknown };

/** GET a Tempo API path on the query-frontend (or --tempo-url). */
export async function tempoGet(ctx: LabContext, path: string, endpoint: 'tempo' | 'distributor' = 'tempo', headers?: Record<string, string>): Promise<TempoGet> {
  const base = await ctx.endpoint(endpoint);
  const asked = ctx.http.request(`${base}${path}`, { timeoutMs: 15_000, headers });
  // a query the query-frontend holds in its queue (no querier connected) never answers: after a moment, ask it how
  // many queriers it has, and say so at once rather than wait for the timeout
  const res = endpoint === 'tempo' && path.startsWith('/api/') ? await unlessNoQuerier(ctx, path, asked) : await asked;
  let json: unknown;
  if ((res.headers['content-type'] ?? '').includes('json') || /^\s*[[{]/.test(res.body)) {
    try {
      json = JSON.parse(res.body);
    } catch {
      json = undefined;
    }
  }
  // multi-tenancy on: every query and push needs X-Scope-OrgID, and waiting changes nothing (final)
  if (res.status === 401 && /no org id/i.test(res.body) && path !== '/status/config') {
    const { config } = await readTempoConfig(ctx, endpoint).catch(() => ({ config: undefined }));
    const on = (config as { multitenancy_enabled?: boolean } | undefined)?.multitenancy_enabled;
    throw new WorkbookError(`GET ${path}: HTTP 401 no org id${on ? ' (multitenancy_enabled: true in /status/config)' : ''}`, { hint: on ? MULTITENANCY_ON : MULTITENANCY_MAYBE, final: true });
  }
  return { status: res.status, body: res.body, json };
}

const MULTITENANCY_ON: Text = {
  en: 'Multi-tenancy is on (multitenancy_enabled: true, read from Tempo\'s /status/config): every query and every push needs an X-Scope-OrgID header naming the tenant. The article runs Tempo with it off (multitenancyEnabled: false in manifests/tempo-distributed.values.yaml); either turn it off again, or send the header (Grafana\'s Tempo data source: HTTP header X-Scope-OrgID).',
  'zh-TW': '多租戶模式已開啟（從 Tempo 的 /status/config 讀到 multitenancy_enabled: true）：每個查詢與每次推送都需要帶有租戶名稱的 X-Scope-OrgID 標頭。文章中的 Tempo 是關閉的（manifests/tempo-distributed.values.yaml 的 multitenancyEnabled: false）；請把它關掉，或送出這個標頭（Grafana 的 Tempo 資料來源：HTTP 標頭 X-Scope-OrgID）。',
};
const MULTITENANCY_MAYBE: Text = {
  en: 'Tempo answered 401 "no org id": it expects an X-Scope-OrgID header on every query, as it does with multi-tenancy on (its /status/config could not be read to confirm). The article runs Tempo with multitenancyEnabled: false.',
  'zh-TW': 'Tempo 回應 401 "no org id"：它要求每個查詢都帶 X-Scope-OrgID 標頭，就像開啟多租戶模式時一樣（無法讀取它的 /status/config 來確認）。文章中的 Tempo 使用 multitenancyEnabled: false。',
};

/** Search the last hour. Without start/end Tempo searches only the ingesters (recent, in-memory data). */
export function searchPath(ctx: LabContext, params: { tags?: string; q?: string; limit?: number; start?: number; end?: number }): string {
  const end = params.end ?? Math.floor(ctx.clock.now() / 1000);
  const qs = new URLSearchParams();
  if (params.tags) qs.set('tags', params.tags);
  if (params.q) qs.set('q', params.q);
  qs.set('limit', String(params.limit ?? 20));
  qs.set('start', String(params.start ?? end - 3600));
  qs.set('end', String(end));
  return `/api/search?${qs.toString()}`;
}

/** Tempo's query API answered, but not as Tempo does: the URL is not the query-frontend, or Tempo is failing. */
export const NOT_TEMPO_API: Text = {
  en: 'The search API did not answer as Tempo 2.2 does ({what}). Is --tempo-url (or the port-forward to service/tempo-query-frontend) Tempo\'s query-frontend? A 5xx means Tempo itself fails: `kubectl -n tracing logs deploy/tempo-query-frontend` and deploy/tempo-querier say why.',
  'zh-TW': '搜尋 API 的回應不像 Tempo 2.2（{what}）。--tempo-url（或到 service/tempo-query-frontend 的 port-forward）指向的是 Tempo 的 query-frontend 嗎？若是 5xx，代表 Tempo 本身出錯：`kubectl -n tracing logs deploy/tempo-query-frontend` 與 deploy/tempo-querier 會說明原因。',
};

export async function search(ctx: LabContext, params: { tags?: string; q?: string; limit?: number; start?: number; end?: number }): Promise<SearchResponse> {
  const path = searchPath(ctx, params);
  const r = await tempoGet(ctx, path);
  if (r.status !== 200) {
    const what = `HTTP ${r.status} ${r.body.trim().slice(0, 100)}`.trim();
    throw new WorkbookError(`GET ${path}: ${what}`, { hint: fill(NOT_TEMPO_API, { what: `HTTP ${r.status}` }), final: r.status === 404 && !!ctx.lab.urls.tempo });
  }
  return searchResponse(ctx, path, r);
}

/** A 200 answer read as Tempo's search response, or one line saying it is not one (an HTML login page, another API). */
export function searchResponse(ctx: LabContext, path: string, r: { body: string; json?: unknown }): SearchResponse {
  const j = SearchResponseSchema.safeParse(r.json);
  if (!j.success) {
    const html = /^\s*</.test(r.body);
    throw new WorkbookError(`GET ${path}: not a search response (${html ? 'an HTML page' : r.body.trim().slice(0, 60) || 'empty body'})`, { hint: fill(NOT_TEMPO_API, { what: html ? 'HTTP 200, an HTML page' : 'not JSON with "traces"' }), final: !!ctx.lab.urls.tempo });
  }
  return j.data;
}

const SLOW_SEARCH_MS = 3000;

async function unlessNoQuerier<T>(ctx: LabContext, path: string, asked: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void connectedQueriers(ctx)
        .catch(() => undefined)
        .then((n) => {
          if (n === 0) reject(new WorkbookError(`GET ${path}: no answer after ${SLOW_SEARCH_MS / 1000} s, and tempo_query_frontend_connected_clients is 0 on the query-frontend's /metrics: no querier is connected`, { hint: NO_QUERIER, final: true }));
        });
    }, SLOW_SEARCH_MS);
    timer.unref?.();
  });
  slow.catch(() => {});
  asked.catch(() => {});
  return Promise.race([asked, slow]).finally(() => clearTimeout(timer));
}

/** How many queriers are connected to the query-frontend (its own /metrics); undefined when it has no such gauge. */
export async function connectedQueriers(ctx: LabContext): Promise<number | undefined> {
  const r = await tempoGet(ctx, '/metrics');
  if (r.status !== 200) return undefined;
  const m = /^tempo_query_frontend_connected_clients(?:\{[^}]*\})? (\S+)$/m.exec(r.body);
  return m ? Number(m[1]) : undefined;
}

const NO_QUERIER: Text = {
  en: 'The query-frontend takes searches but has no querier to run them: they wait in its queue. Is the querier running? (kind: `kubectl -n tracing get pods -l app.kubernetes.io/component=querier`; the embedded lab: `workbook lab status`, then `workbook lab start tempo-querier`.)',
  'zh-TW': 'query-frontend 接受了搜尋，卻沒有 querier 可以執行：搜尋都卡在它的佇列裡。querier 有在執行嗎？（kind：`kubectl -n tracing get pods -l app.kubernetes.io/component=querier`；內建實驗環境：`workbook lab status`，再 `workbook lab start tempo-querier`。）',
};

/** " · open in Grafana: <link>" where a Grafana is known (the kind lab's, or --grafana-url); nothing on a lab without one. */
export function grafanaNote(lab: Lab, traceId: string): string {
  return lab.embedded && !lab.urls.grafana ? '' : ` · open in Grafana: ${exploreTraceLink(lab, traceId)}`;
}

/** A Grafana Explore link that opens one trace in the Tempo data source (uid "tempo"). */
export function exploreTraceLink(lab: Lab, traceId: string): string {
  const base = lab.urls.grafana ?? `http://127.0.0.1:${lab.localPorts.grafana}`;
  const left = { datasource: 'tempo', queries: [{ refId: 'A', datasource: { type: 'tempo', uid: 'tempo' }, queryType: 'traceql', query: padTraceId(traceId) }], range: { from: 'now-1h', to: 'now' } };
  return `${base}/explore?orgId=1&left=${encodeURIComponent(JSON.stringify(left))}`;
}

export interface TempoConfig {
  target?: string;
  ingester?: { lifecycler?: { heartbeat_period?: string; ring?: { replication_factor?: number } } };
  /** legacy flat format (2.x: metrics_generator_processors) or the new one (overrides.defaults.metrics_generator.processors, the only one Tempo 3.0 takes by default) */
  overrides?: { metrics_generator_processors?: string[]; defaults?: { metrics_generator?: { processors?: string[] } } };
  metrics_generator?: { storage?: { remote_write?: { url?: string; send_exemplars?: boolean }[] }; registry?: { collection_interval?: string } };
  compactor?: { compaction?: { block_retention?: string } };
  /** Tempo 3.0: compaction and retention run in the backend workers */
  backend_worker?: { compaction?: { block_retention?: string } };
}

/**
 * The metrics-generator processors a configuration lists, in either overrides format (grafana/tempo@v3.0.3
 * modules/overrides: the legacy flat `metrics_generator_processors`, or `defaults.metrics_generator.processors`);
 * undefined when it lists none in either.
 */
export function processorsIn(config: TempoConfig): string[] | undefined {
  return config.overrides?.metrics_generator_processors ?? config.overrides?.defaults?.metrics_generator?.processors;
}

/** The running configuration (/status/config): its body is a "GET /status/config" line, then the YAML. */
export async function readTempoConfig(ctx: LabContext, endpoint: 'tempo' | 'distributor' = 'tempo'): Promise<{ config?: TempoConfig; error?: string }> {
  // an unreachable Tempo throws (with its own hint); only answers are turned into errors here
  const r = await tempoGet(ctx, '/status/config', endpoint);
  if (r.status !== 200) return { error: `GET /status/config → ${r.status} ${r.body.trim().slice(0, 60)}`.trim() };
  const { parse } = await import('yaml');
  try {
    return { config: (parse(r.body.replace(/^GET [^\n]*\n/, '')) ?? {}) as TempoConfig };
  } catch (err) {
    return { error: `GET /status/config: not YAML (${(err as Error).message.split('\n')[0]})` };
  }
}

export type FetchedTrace =
  | { kind: 'ok'; spans: FlatSpan[] }
  | { kind: 'http'; status: number; body: string; json: boolean }
  | { kind: 'unparsable'; message: string }
  | { kind: 'other-trace'; got: string };

/** GET /api/traces/<id>, flattened, and checked to be the trace asked for (callers phrase the problems). */
export async function fetchTrace(ctx: LabContext, id: string): Promise<FetchedTrace> {
  const r = await tempoGet(ctx, `/api/traces/${id}`);
  if (r.status !== 200 || r.json === undefined) return { kind: 'http', status: r.status, body: r.body, json: r.json !== undefined };
  let spans: FlatSpan[];
  try {
    spans = flattenTrace(r.json);
  } catch (err) {
    return { kind: 'unparsable', message: (err as Error).message };
  }
  const wrong = spans.find((s) => s.traceIdHex !== id);
  return wrong ? { kind: 'other-trace', got: wrong.traceIdHex } : { kind: 'ok', spans };
}

/**
 * dskit's ring status page as JSON (asked with Accept: application/json): its members and when it was read. The same
 * page serves the ingester ring (Tempo 2) and the live-store ring (Tempo 3).
 */
export const RingPageSchema = z.object({
  shards: z.array(z.object({ id: z.string(), state: z.string(), address: z.string().optional(), /** last heartbeat, RFC 3339 */ timestamp: z.string().optional() })),
  now: z.string().optional(),
});
/** One member of a ring page. */
export type RingMember = z.infer<typeof RingPageSchema>['shards'][number];

export interface RingView {
  /** ACTIVE and heartbeating: the members a write can count on */
  active: RingMember[];
  /** members that cannot take writes, each "id STATE (last heartbeat N s ago)" or "id not heartbeating for N s (still ACTIVE in the ring)" */
  others: string[];
  /** how many of `others` stopped heartbeating (dead or unreachable, not merely starting) */
  silent: number;
  replicationFactor: number;
  /** writes need this many healthy replicas: floor(RF/2) + 1 (dskit ring/replication_strategy.go) */
  quorum: number;
  /** a member whose last heartbeat is older than this is not heartbeating */
  staleAfterS: number;
}

/** The ring page is the distributor's: a 404 there means the URL names another component. */
export const NOT_A_DISTRIBUTOR: Text = {
  en: '{url} does not serve the distributor\'s pages ({seen}): it is not a distributor{target}. In microservices mode the ring lives on the distributor: give its address with --distributor-url (the query path stays on --tempo-url, the query-frontend).',
  'zh-TW': '{url} 沒有 distributor 的頁面（{seen}）：它不是 distributor{target}。微服務模式下 ring 在 distributor 上：請用 --distributor-url 指定它的位址（查詢仍走 --tempo-url，也就是 query-frontend）。',
};

/** The error for a distributor endpoint that is another component: names what its /status/config says it is. */
export async function notADistributor(ctx: LabContext, seen: string, read?: TempoConfig): Promise<WorkbookError> {
  const base = await ctx.endpoint('distributor');
  // the caller may have read it already
  const config = read ?? (await readTempoConfig(ctx, 'distributor').catch(() => ({ config: undefined }))).config;
  const target = config?.target ? ` (its /status/config says target: ${config.target})` : '';
  return new WorkbookError(`${seen} on ${base}${target}`, { final: true, hint: fill(NOT_A_DISTRIBUTOR, { url: base, target, seen }) });
}

/** Whether a component's running configuration names a target that serves the distributor's pages. */
export function servesDistributor(target: string | undefined): boolean {
  return !target || target === 'all' || target === 'distributor' || target === 'scalable-single-binary';
}

/** Go's duration string ("5s", "1m0s", "500ms") in seconds; undefined when unreadable. */
export function goDurationS(v: unknown): number | undefined {
  const m = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(String(v ?? '').trim());
  if (!m || !m[0]) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) + Number(m[4] ?? 0) / 1000;
}

/**
 * The ingester ring as the distributor sees it (GET /ingester/ring, JSON; grafana/tempo@v2.2.2 vendored dskit
 * ring/http.go). A killed ingester stays ACTIVE in the ring until its heartbeat is older than heartbeat_timeout
 * (5m by default in 2.2.2; observed on the real processes), so a member is judged by its last heartbeat too: one
 * older than three heartbeat periods (at least 6 s) is not heartbeating, whatever its state says. The replication
 * factor and heartbeat period are read from the running configuration (ingester.lifecycler.ring.replication_factor,
 * ingester.lifecycler.heartbeat_period), else the lab's values (3) and Tempo's default (5s).
 */
export async function readRing(ctx: LabContext): Promise<{ ring?: RingView; error?: string }> {
  const r = await tempoGet(ctx, '/ingester/ring', 'distributor', { Accept: 'application/json' });
  if (r.status === 404) throw await notADistributor(ctx, 'GET /ingester/ring → 404');
  const body = r.json as { shards?: RingMember[]; now?: string } | undefined;
  if (r.status !== 200 || !body || !Array.isArray(body.shards)) {
    return { error: `GET /ingester/ring on the distributor → ${r.status}, ${r.body.trim().slice(0, 60) || 'empty body'}` };
  }
  const now = Date.parse(body.now ?? '') || ctx.clock.now();
  const { config } = await readTempoConfig(ctx, 'distributor').catch(() => ({ config: undefined }));
  const rf = Number(config?.ingester?.lifecycler?.ring?.replication_factor) || 3;
  const period = goDurationS(config?.ingester?.lifecycler?.heartbeat_period) || 5;
  const staleAfterS = Math.max(3 * period, 6);
  const age = (s: RingMember) => {
    const t = Date.parse(s.timestamp ?? '');
    return Number.isFinite(t) ? Math.max(0, Math.round((now - t) / 1000)) : undefined;
  };
  const heartbeating = (s: RingMember) => (age(s) ?? 0) <= staleAfterS;
  const active = body.shards.filter((s) => s.state === 'ACTIVE' && heartbeating(s));
  let silent = 0;
  const others = body.shards
    .filter((s) => !active.includes(s))
    .map((s) => {
      const a = age(s);
      if (!heartbeating(s) || s.state === 'UNHEALTHY') silent++;
      if (s.state === 'ACTIVE') return `${s.id} not heartbeating for ${a} s (still ACTIVE in the ring)`;
      return `${s.id} ${s.state}${a !== undefined ? ` (last heartbeat ${a} s ago)` : ''}`;
    });
  return { ring: { active, others, silent, replicationFactor: rf, quorum: Math.floor(rf / 2) + 1, staleAfterS } };
}

/** One ingester (or more, but fewer than a quorum) left: writes still succeed. */
export const RING_DEGRADED: Text = {
  en: 'Not every ingester can take writes: {left}. Writes keep their quorum: with replication_factor {rf}, each write needs {quorum} of {rf} ingesters, and {active} are ACTIVE and heartbeating. A killed ingester stays in the ring (ACTIVE, then UNHEALTHY after heartbeat_timeout) until it returns (its StatefulSet restarts it): `kubectl -n tracing get pods -l app.kubernetes.io/component=ingester`.',
  'zh-TW': '並非每個 ingester 都能接受寫入：{left}。寫入仍有法定數量：replication_factor 為 {rf} 時，每筆寫入需要 {rf} 個中的 {quorum} 個 ingester，目前有 {active} 個是 ACTIVE 且仍有心跳。被終止的 ingester 會留在 ring 中（先是 ACTIVE，超過 heartbeat_timeout 後變成 UNHEALTHY），直到它回來（StatefulSet 會重新啟動它）：`kubectl -n tracing get pods -l app.kubernetes.io/component=ingester`。',
};

/** Fewer healthy ingesters than a quorum: the distributor refuses every write. */
export const RING_QUORUM_LOST: Text = {
  en: 'Quorum lost: only {active} of {rf} ingesters are ACTIVE and heartbeating ({left}). With replication_factor {rf}, every write must reach {quorum} ingesters, so the distributor now refuses spans ("at least {quorum} live replicas required") and they are lost. Bring the ingesters back: `kubectl -n tracing get pods -l app.kubernetes.io/component=ingester`, then `kubectl -n tracing logs <pod>`.',
  'zh-TW': '失去法定數量：{rf} 個 ingester 中只有 {active} 個是 ACTIVE 且仍有心跳（{left}）。replication_factor 為 {rf} 時，每筆寫入都必須送達 {quorum} 個 ingester，所以 distributor 現在會拒收 span（"at least {quorum} live replicas required"），這些 span 會遺失。請讓 ingester 恢復：`kubectl -n tracing get pods -l app.kubernetes.io/component=ingester`，再查看 `kubectl -n tracing logs <pod>`。',
};

/**
 * The ring check's verdict on what the distributor sees. Members that stopped heartbeating are a reading, not a
 * wait: the check ends at once (final). Members still joining (too few, JOINING) are waited for.
 */
export function ringVerdict(ring: RingView, want: number): Outcome {
  const evidence = `${ring.active.length}/${want} ingesters ACTIVE and heartbeating${ring.others.length ? `; cannot take writes: ${ring.others.join(', ')}` : ''} (replication_factor ${ring.replicationFactor}, writes need ${ring.quorum})`;
  if (ring.active.length >= want && !ring.others.length) return { ok: true, evidence };
  const vars = { left: ring.others.join(', ') || `${want - ring.active.length} missing`, rf: ring.replicationFactor, quorum: ring.quorum, active: ring.active.length };
  return { ok: false, ...(ring.silent ? { final: true } : {}), evidence, hint: fill(ring.active.length >= ring.quorum ? RING_DEGRADED : RING_QUORUM_LOST, vars) };
}

/** Ingesters of the lab's values (ingester.replicas: 3). */
export const INGESTERS = 3;

/** How many spans Tempo's distributor has received (its own /metrics); undefined when the page has no such counter. */
async function spansReceived(ctx: LabContext): Promise<number | undefined> {
  const r = await tempoGet(ctx, '/metrics', 'distributor');
  if (r.status !== 200) return undefined;
  const { counterValue } = await import('./prometheus.js');
  return counterValue(r.body, 'tempo_distributor_spans_received_total');
}

/**
 * Are spans reaching Tempo now? Two readings of the distributor's counter `windowMs` apart. Undefined when it could
 * not be read (no verdict claimed); `arriving: false` with the readings as evidence when the counter stood still.
 */
export async function spansArriving(ctx: LabContext, windowMs = 5000): Promise<{ arriving: boolean; evidence: string } | undefined> {
  try {
    const a = await spansReceived(ctx);
    await ctx.clock.sleep(windowMs);
    const b = await spansReceived(ctx);
    if (a === undefined || b === undefined) return undefined;
    return { arriving: b > a, evidence: `tempo_distributor_spans_received_total ${a} → ${b} in ${windowMs / 1000} s` };
  } catch {
    return undefined;
  }
}

export const NO_SPANS_ARRIVING: Text = {
  en: 'No span reached Tempo while this check looked (its distributor counted none): nothing new can be computed. Is the traffic running? Chapter 4 sends it (`workbook verify traffic`; on the embedded lab `workbook lab status` shows the traffic process, `workbook lab restart traffic` starts it again).',
  'zh-TW': '這項檢查觀察期間，沒有任何 span 到達 Tempo（它的 distributor 一個都沒算到）：沒有新資料可以計算。流量有在送嗎？第 4 章負責送出流量（`workbook verify traffic`；在內建實驗環境中，`workbook lab status` 會列出 traffic 行程，`workbook lab restart traffic` 可重新啟動）。',
};

// ------------------------------------------------------------------------------------ TraceQL metrics (Tempo 3)

/** Tempo's TraceQL metrics answer (/api/metrics/query_range): series of labels and samples. */
export const MetricsAnswerSchema = z.object({
  series: z
    .array(
      z.object({
        labels: z.array(z.object({ key: z.string(), value: z.object({ stringValue: z.string().optional() }).passthrough() })).default([]),
        samples: z.array(z.object({ timestampMs: z.string(), value: z.number().optional() })).default([]),
      }),
    )
    .default([]),
});
export type MetricsAnswer = z.infer<typeof MetricsAnswerSchema>;

/** A TraceQL metrics query over the last `windowS` seconds, one point every `stepS`; Tempo's refusal in its words. */
export async function traceqlMetrics(ctx: LabContext, q: string, windowS = 300, stepS = 15): Promise<{ answer: MetricsAnswer } | { refused: string; status: number }> {
  const end = Math.floor(ctx.clock.now() / 1000);
  const qs = new URLSearchParams({ q, start: String(end - windowS), end: String(end), step: `${stepS}s` });
  const r = await tempoGet(ctx, `/api/metrics/query_range?${qs}`);
  if (r.status !== 200) return { refused: r.body.trim().slice(0, 300), status: r.status };
  const got = MetricsAnswerSchema.safeParse(r.json);
  if (!got.success) return { refused: `not a TraceQL metrics answer: ${r.body.trim().slice(0, 80)}`, status: r.status };
  return { answer: got.data };
}

/** Each series' name (its labels' values) and its newest value. */
export function newestBySeries(a: MetricsAnswer): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of a.series) {
    // the string labels name a series (a quantile's own p label is a number, and the same in every series)
    const name = s.labels.filter((l) => l.value.stringValue !== undefined).map((l) => l.value.stringValue).join(',') || '{}';
    const last = [...s.samples].reverse().find((x) => x.value !== undefined);
    if (last?.value !== undefined) out.set(name, last.value);
  }
  return out;
}
