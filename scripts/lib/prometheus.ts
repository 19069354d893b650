import type { ChapterContext } from './model.js';

/** GET a Prometheus API path and unwrap {status:"success", data}; any other answer is an error with evidence. */
export async function promApi<T>(ctx: ChapterContext, path: string): Promise<T> {
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
