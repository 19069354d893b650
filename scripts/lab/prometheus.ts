import type { LabContext } from '../core/model.js';

/** GET a Prometheus API path and unwrap {status:"success", data}; any other answer is an error with evidence. */
export async function promApi<T>(ctx: LabContext, path: string): Promise<T> {
  const base = await ctx.endpoint('prometheus');
  const res = await ctx.http.request(`${base}${path}`, { timeoutMs: 10_000 });
  let body: { status?: string; data?: T; error?: string } | undefined;
  try {
    body = JSON.parse(res.body) as typeof body;
  } catch {
    throw new Error(`GET ${path}: HTTP ${res.status}, not JSON: ${res.body.slice(0, 80).replace(/\s+/g, ' ')}`);
  }
  if (res.status !== 200 || body?.status !== 'success') {
    throw new Error(`GET ${path}: HTTP ${res.status} ${body?.error ?? body?.status ?? ''}`.trim());
  }
  return body.data as T;
}

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export async function promQuery(ctx: LabContext, expr: string): Promise<VectorSample[]> {
  const data = await promApi<{ resultType: string; result: VectorSample[] }>(ctx, `/api/v1/query?query=${encodeURIComponent(expr)}`);
  if (data.resultType !== 'vector') throw new Error(`query ${expr}: expected a vector, got ${data.resultType}`);
  return data.result;
}

export interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

export async function promExemplars(ctx: LabContext, expr: string, startSec: number, endSec: number): Promise<ExemplarSeries[]> {
  return promApi<ExemplarSeries[]>(ctx, `/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${startSec}&end=${endSec}`);
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
