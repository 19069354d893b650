import { z } from 'zod';
import type { LabContext } from '../core/model.js';
import { WorkbookError } from '../core/errors.js';
import { fill, type Text } from '../core/text.js';

/** Lab clients report a failed answer one way: a WorkbookError with the hint for it (as tempo.ts and the effects do). */
export const NOT_PROMETHEUS_API: Text = {
  en: 'The answer was not Prometheus\' HTTP API ({what}). Is --prometheus-url (or the port-forward to service/prometheus-stack-prometheus, port 9090) Prometheus itself, not Grafana or another service?',
  'zh-TW': '這個回應不是 Prometheus 的 HTTP API（{what}）。--prometheus-url（或到 service/prometheus-stack-prometheus 9090 埠的 port-forward）指向的是 Prometheus 本身，而不是 Grafana 或其他服務嗎？',
};

export const PROMETHEUS_ERROR: Text = {
  en: 'Prometheus answered with an error ({what}). A 5xx is Prometheus itself failing: `kubectl -n prometheus logs prometheus-prometheus-stack-prometheus-0` says why; a 4xx names the query it refused.',
  'zh-TW': 'Prometheus 回傳了錯誤（{what}）。5xx 代表 Prometheus 本身出錯：`kubectl -n prometheus logs prometheus-prometheus-stack-prometheus-0` 會說明原因；4xx 會指出它拒絕的查詢。',
};

/** GET a Prometheus API path and unwrap {status:"success", data}; any other answer is an error with evidence. */
export async function promApi<T>(ctx: LabContext, path: string): Promise<T> {
  const base = await ctx.endpoint('prometheus');
  const res = await ctx.http.request(`${base}${path}`, { timeoutMs: 10_000 });
  let body: { status?: string; data?: T; error?: string } | undefined;
  try {
    body = JSON.parse(res.body) as typeof body;
  } catch {
    const what = `HTTP ${res.status}, not JSON: ${res.body.slice(0, 80).replace(/\s+/g, ' ')}`.trim();
    // a named URL that is not Prometheus does not become Prometheus by waiting
    throw new WorkbookError(`GET ${path}: ${what}`, { hint: fill(NOT_PROMETHEUS_API, { what: `HTTP ${res.status}` }), final: !!ctx.lab.urls.prometheus && res.status < 500 });
  }
  if (res.status !== 200 || body?.status !== 'success') {
    const what = `HTTP ${res.status} ${body?.error ?? body?.status ?? ''}`.trim();
    throw new WorkbookError(`GET ${path}: ${what}`, { hint: fill(PROMETHEUS_ERROR, { what }) });
  }
  return body.data as T;
}

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** How long Prometheus may evaluate one of the workbook's (or a learner's) queries (its `timeout` parameter). */
export const PROMQL_TIMEOUT = '20s';

export async function promQuery(ctx: LabContext, expr: string): Promise<VectorSample[]> {
  const data = await promApi<{ resultType: string; result: VectorSample[] }>(ctx, `/api/v1/query?query=${encodeURIComponent(expr)}&timeout=${PROMQL_TIMEOUT}`);
  if (data.resultType !== 'vector') throw new Error(`query ${expr}: expected a vector, got ${data.resultType}`);
  return data.result;
}

/** A sample of an instant query: its labels and its value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}
/** Prometheus' answer to /api/v1/query, as far as an instant query's is read (prometheus/prometheus@v2.47.0 web/api/v1/api.go). */
const QueryAnswerSchema = z.object({
  status: z.string(),
  error: z.string().optional(),
  data: z
    .discriminatedUnion('resultType', [
      z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: z.record(z.string()), value: z.tuple([z.number(), z.string()]) })) }),
      z.object({ resultType: z.literal('scalar'), result: z.tuple([z.number(), z.string()]) }),
      z.object({ resultType: z.literal('matrix'), result: z.unknown() }),
      z.object({ resultType: z.literal('string'), result: z.unknown() }),
    ])
    .optional(),
});

/**
 * A learner's (or an exercise's) instant query at one time: a vector (a scalar is one sample without labels), or
 * Prometheus' own refusal in its words (a 400 bad_data names what it could not parse). An answer that is not
 * Prometheus' API is named as the checks name it. Bounded on Prometheus' side too (its `timeout`).
 */
export async function promQueryAt(ctx: LabContext, expr: string, time: number): Promise<{ samples: Sample[] } | { refused: string }> {
  const base = await ctx.endpoint('prometheus');
  const qs = new URLSearchParams({ query: expr, time: String(time), timeout: PROMQL_TIMEOUT });
  const r = await ctx.http.request(`${base}/api/v1/query?${qs}`, { timeoutMs: 30_000 });
  let json: unknown;
  try {
    json = JSON.parse(r.body);
  } catch {
    json = undefined;
  }
  const got = QueryAnswerSchema.safeParse(json);
  if (!got.success) {
    throw new WorkbookError(`PromQL query → HTTP ${r.status}, not Prometheus' API: ${r.body.trim().slice(0, 80).replace(/\s+/g, ' ')}`, { hint: fill(NOT_PROMETHEUS_API, { what: `HTTP ${r.status}` }), final: true });
  }
  const body = got.data;
  if (body.status !== 'success' || !body.data) return { refused: body.error ?? `HTTP ${r.status}` };
  const d = body.data;
  if (d.resultType === 'scalar') return { samples: [{ labels: {}, value: Number(d.result[1]) }] };
  if (d.resultType !== 'vector') return { refused: `the result is a ${d.resultType}; an instant query needs an instant vector or a scalar (no [range] at the end)` };
  return { samples: d.result.map((x) => ({ labels: x.metric, value: Number(x.value[1]) })) };
}

export interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

export async function promExemplars(ctx: LabContext, expr: string, startSec: number, endSec: number): Promise<ExemplarSeries[]> {
  return promApi<ExemplarSeries[]>(ctx, `/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${startSec}&end=${endSec}`);
}

/** Prometheus' /api/v1/status/runtimeinfo: only the start time is read. */
const RuntimeInfoSchema = z.object({ startTime: z.string().datetime({ offset: true }) });

/**
 * When this Prometheus started (ms), or undefined when unread. The chart's Prometheus keeps its data in an emptyDir
 * (`storageSpec: {}`) and the embedded lab's is made afresh on restart: nothing it holds is older than this.
 */
export async function promStartedAt(ctx: LabContext): Promise<number | undefined> {
  const got = RuntimeInfoSchema.safeParse(await promApi<unknown>(ctx, '/api/v1/status/runtimeinfo').catch(() => undefined));
  return got.success ? Date.parse(got.data.startTime) : undefined;
}

export async function promFlags(ctx: LabContext): Promise<Record<string, string> | undefined> {
  return promApi<Record<string, string>>(ctx, '/api/v1/status/flags').catch(() => undefined);
}

/**
 * Sum a metric over its series in Prometheus' text exposition format (a component's /metrics page); undefined when
 * absent. `where`: only series whose label text holds it (e.g. 'reason="refused"').
 */
export function counterValue(metricsText: string, name: string, where = ''): number | undefined {
  let sum: number | undefined;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if ((rest[0] !== '{' && rest[0] !== ' ') || !line.includes(where)) continue;
    const v = Number(line.trim().split(/\s+/).at(rest[0] === '{' ? -1 : 1));
    if (Number.isFinite(v)) sum = (sum ?? 0) + v;
  }
  return sum;
}

/** A counter on a /metrics page, summed per value of one label (e.g. discarded spans by `reason`). */
export function counterBy(metricsText: string, name: string, label: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = new RegExp(`${label}="([^"]*)"`);
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const key = re.exec(line)?.[1];
    const v = Number(line.trim().split(/\s+/).at(-1));
    if (key !== undefined && Number.isFinite(v)) out.set(key, (out.get(key) ?? 0) + v);
  }
  return out;
}
