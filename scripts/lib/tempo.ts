import type { ChapterContext, Lab } from './model.js';

/** Tempo strips leading zeros from hex trace ids (search results, exemplars); pad before comparing. */
export function padTraceId(id: string): string {
  return id.toLowerCase().padStart(32, '0');
}

/** Span and trace ids in /api/traces JSON are base64. */
export function b64ToHex(b64: string): string {
  return Buffer.from(b64, 'base64').toString('hex');
}

export interface SearchTrace {
  traceID: string;
  rootServiceName?: string;
  rootTraceName?: string;
  startTimeUnixNano?: string;
  durationMs?: number;
}

export interface SearchResponse {
  traces: SearchTrace[];
  metrics?: Record<string, unknown>;
}

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
export async function tempoGet(ctx: ChapterContext, path: string, endpoint: 'tempo' | 'distributor' = 'tempo', headers?: Record<string, string>): Promise<TempoGet> {
  const base = await ctx.endpoint(endpoint);
  const res = await ctx.http.request(`${base}${path}`, { timeoutMs: 15_000, headers });
  let json: unknown;
  if ((res.headers['content-type'] ?? '').includes('json') || /^\s*[[{]/.test(res.body)) {
    try {
      json = JSON.parse(res.body);
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, body: res.body, json };
}

/** Search the last hour. Without start/end Tempo searches only the ingesters (recent, in-memory data). */
export function searchPath(ctx: ChapterContext, params: { tags?: string; q?: string; limit?: number }): string {
  const end = Math.floor(ctx.clock.now() / 1000);
  const qs = new URLSearchParams();
  if (params.tags) qs.set('tags', params.tags);
  if (params.q) qs.set('q', params.q);
  qs.set('limit', String(params.limit ?? 20));
  qs.set('start', String(end - 3600));
  qs.set('end', String(end));
  return `/api/search?${qs.toString()}`;
}

export async function search(ctx: ChapterContext, params: { tags?: string; q?: string; limit?: number }): Promise<SearchResponse> {
  const path = searchPath(ctx, params);
  const r = await tempoGet(ctx, path);
  if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status} ${r.body.trim().slice(0, 100)}`);
  const j = r.json as SearchResponse | undefined;
  if (!j || !Array.isArray(j.traces)) throw new Error(`GET ${path}: not a search response (${r.body.trim().slice(0, 60) || 'empty body'})`);
  return j;
}

/** A Grafana Explore link that opens one trace in the Tempo data source (uid "tempo"). */
export function exploreTraceLink(lab: Lab, traceId: string): string {
  const base = lab.urls.grafana ?? `http://127.0.0.1:${lab.localPorts.grafana}`;
  const left = { datasource: 'tempo', queries: [{ refId: 'A', datasource: { type: 'tempo', uid: 'tempo' }, queryType: 'traceql', query: padTraceId(traceId) }], range: { from: 'now-1h', to: 'now' } };
  return `${base}/explore?orgId=1&left=${encodeURIComponent(JSON.stringify(left))}`;
}

export interface TempoConfig {
  overrides?: { metrics_generator_processors?: string[] };
  metrics_generator?: { storage?: { remote_write?: { url?: string; send_exemplars?: boolean }[] } };
  compactor?: { compaction?: { block_retention?: string } };
}

/** The running configuration (/status/config): its body is a "GET /status/config" line, then the YAML. */
export async function readTempoConfig(ctx: ChapterContext): Promise<{ config?: TempoConfig; error?: string }> {
  let r: TempoGet;
  try {
    r = await tempoGet(ctx, '/status/config');
  } catch (err) {
    return { error: (err as Error).message };
  }
  if (r.status !== 200) return { error: `GET /status/config → ${r.status}` };
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
export async function fetchTrace(ctx: ChapterContext, id: string): Promise<FetchedTrace> {
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
