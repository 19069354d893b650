// Helpers for tests against the real Tempo and the real Prometheus: the shop's traffic (the workbook's own
// `workbook traffic` code, xk6 v0.0.2's semantics) and a chapter's checks run against explicit endpoints.
import { executeCheck, type ItemResult } from '../../scripts/core/engine.js';
import type { Chapter, UrlName } from '../../scripts/core/model.js';
import { sendTraffic } from '../../scripts/lab/traffic.js';
import { testContext, testLab } from './context.js';

/** Send the shop's templates to an OTLP/HTTP receiver until stopped (or `count` traces). */
export function startTraffic(otlpUrl: string, o: { rate?: number; count?: number } = {}): { done: Promise<unknown>; stop(): Promise<void> } {
  const ac = new AbortController();
  const done = (async () => {
    const ctx = await testContext(testLab({ urls: { otlp: otlpUrl } }));
    return sendTraffic(ctx, { count: o.count ?? 0, rate: o.rate ?? 10, signal: ac.signal, log: () => {} });
  })();
  // a receiver that refuses everything ends the traffic with an error; whoever awaits `done` still sees it
  done.catch(() => {});
  return {
    done,
    async stop() {
      ac.abort();
      await done.catch(() => {});
    },
  };
}

/** Every check of a chapter, one after another (as `verify` runs them), against explicit endpoints. */
export async function verifyChapter(chapter: Pick<Chapter, 'checks'>, urls: Partial<Record<UrlName, string>>, timeoutMs = 45_000): Promise<Record<string, ItemResult>> {
  const ctx = await testContext(testLab({ urls, timeoutMs }));
  const out: Record<string, ItemResult> = {};
  for (const c of chapter.checks) out[c.id] = await executeCheck(c, ctx);
  return out;
}

export const statuses = (r: Record<string, ItemResult>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.status]));
