import type { ChapterSpec, LabContext, Check, Outcome } from '../../scripts/core/model.js';
import { NEEDS_CLUSTER } from '../../scripts/core/model.js';
import { NOT_TEMPO_API, grafanaNote, fetchTrace, padTraceId, search, tempoGet, traceEdges, type FlatSpan } from '../../scripts/lab/tempo.js';
import { fill, type Text } from '../../scripts/core/text.js';
import { HTTP_NAMES_V0_0_2, httpNamesOf, SERVICES, SHOP_TEMPLATES, templateShape, withHttpNames, type HttpNames } from '../../scripts/lab/shop.js';

export { SERVICES };

export interface Template {
  id: string;
  title: Text;
  /** root span name, or * for "any" (the 403 template's root gets a random name) */
  root: string;
  /** how to find candidates */
  searches: { tags?: string; q?: string }[];
  /** child ← parent, as service:name; the root's parent is ROOT (from the shop's template) */
  edges: string[];
  /** the template answers 403: its CLIENT span of the failed call must carry an error status */
  forbidden?: boolean;
}

const TITLES: Record<string, Text> = {
  'list-articles': { en: 'a "list articles" trace has the template\'s shape', 'zh-TW': '「列出商品」追蹤符合模板結構' },
  'article-to-cart': { en: 'an "article to cart" trace has the template\'s shape', 'zh-TW': '「加入購物車」追蹤符合模板結構' },
  forbidden: { en: 'a 403 trace has the template\'s shape, and its failed call an error status', 'zh-TW': '403 追蹤符合模板結構，且失敗的呼叫帶有錯誤狀態' },
};

/** Chapter 5's view of the shop's templates (scripts/lab/shop.ts). */
export const TEMPLATES: Template[] = SHOP_TEMPLATES.map((tpl) => {
  const forbidden = tpl.spans.some((s) => s.attributes?.['http.status_code'] === 403);
  return {
    id: tpl.id,
    title: TITLES[tpl.id]!,
    root: tpl.spans[0]!.name ?? '*',
    searches: forbidden ? [{ q: '{span.http.status_code=403}' }, { q: '{status=error}' }] : [{ tags: 'service.name=shop-backend' }],
    edges: templateShape(tpl),
    ...(forbidden ? { forbidden } : {}),
  };
});

/**
 * What a fetched trace lacks to be an instance of the template (empty: it is one). For the 403 template, as
 * xk6-client-tracing v0.0.2 sets statuses (templated.go generateHTTPAttributes): a CLIENT span whose call
 * answered >= 400 is ERROR; the SERVER spans that answered 403 keep status unset (ERROR only at >= 500).
 */
export function templateGaps(spans: FlatSpan[], tpl: Template, http: HttpNames = HTTP_NAMES_V0_0_2): string[] {
  const roots = spans.filter((s) => !s.parentSpanId || !spans.some((p) => p.spanId === s.parentSpanId));
  const named = tpl.root === '*' ? spans.map((s) => (roots.includes(s) ? { ...s, name: '*' } : s)) : spans;
  const have = new Set(traceEdges(named));
  const gaps = tpl.edges.filter((e) => !have.has(e));
  if (tpl.forbidden) {
    // the generator's names: http.status_code (v0.0.2), http.response.status_code (v0.0.8 and later)
    const with403 = spans.filter((s) => s.attributes[http.status] === '403');
    if (!with403.length) gaps.push(`no span with ${http.status}=403`);
    const clients = with403.filter((s) => s.kind === 'SPAN_KIND_CLIENT');
    if (with403.length && !clients.length) gaps.push(`no CLIENT span with ${http.status}=403`);
    for (const s of clients) if (s.statusCode !== 'STATUS_CODE_ERROR') gaps.push(`${s.service}:${s.name} (CLIENT) has 403 but status ${s.statusCode ?? 'unset'}`);
  }
  return gaps;
}

const MAX_CANDIDATES = 10;

export const NO_TRACES_HINT: Text = {
  en: 'Tempo found no such traces in the last hour. Is traffic flowing (chapter 4)? Traces appear in search a second or two after they are sent.',
  'zh-TW': 'Tempo 在過去一小時內找不到這類追蹤。流量是否有在送（第 4 章）？追蹤送出後一兩秒才會出現在搜尋結果中。',
};

const SHAPE_HINT: Text = {
  en: 'Traces were found but none has the template\'s full shape yet: spans of one trace can arrive a moment apart, so this re-checks until the deadline. If it persists, the generator sends other templates than the article\'s.',
  'zh-TW': '找到了追蹤，但還沒有一筆具備模板的完整結構：同一筆追蹤的 span 可能相隔片刻才送達，因此會持續重新檢查到期限為止。若一直如此，代表產生器送出的模板與文章不同。',
};

async function probeTemplate(ctx: LabContext, tpl: Template): Promise<Outcome> {
  const seen = new Set<string>();
  const candidates: string[] = [];
  for (const s of tpl.searches) {
    const res = await search(ctx, { ...s, ...(s.q ? { q: withHttpNames(s.q, httpNamesOf(ctx.lab.profile)) } : {}), limit: 50 });
    for (const t of res.traces) {
      const id = padTraceId(t.traceID);
      if (seen.has(id)) continue;
      if (tpl.root !== '*' && t.rootTraceName !== tpl.root) continue;
      seen.add(id);
      candidates.push(id);
    }
  }
  if (!candidates.length) return { ok: false, evidence: `no ${tpl.id} trace found by ${tpl.searches.map((s) => s.tags ?? s.q).join(' or ')}`, hint: NO_TRACES_HINT };
  const tried: string[] = [];
  for (const id of candidates.slice(0, MAX_CANDIDATES)) {
    const got = await fetchTrace(ctx, id);
    if (got.kind !== 'ok') {
      tried.push(
        `${id.slice(0, 8)}… ${
          got.kind === 'http'
            ? got.status === 404
              ? `404 ${got.body.trim()}`
              : `HTTP ${got.status}${got.json ? '' : ', not JSON'}`
            : got.kind === 'unparsable'
              ? got.message
              : `answered with trace ${got.got}`
        }`,
      );
      continue;
    }
    const spans = got.spans;
    const gaps = templateGaps(spans, tpl, httpNamesOf(ctx.lab.profile));
    if (gaps.length) {
      tried.push(`${id.slice(0, 8)}… missing ${gaps[0]}${gaps.length > 1 ? ` (+${gaps.length - 1})` : ''}`);
      continue;
    }
    const services = [...new Set(spans.map((s) => s.service))];
    const errors = spans.filter((s) => s.statusCode === 'STATUS_CODE_ERROR').length;
    return {
      ok: true,
      evidence: `trace ${id}: ${spans.length} spans, ${services.join(' → ')}${tpl.forbidden ? `, ${errors} with error status (${spans.filter((x) => x.statusCode === 'STATUS_CODE_ERROR').map((x) => `${x.service}:${x.name}`).join(', ')})` : ''}${grafanaNote(ctx.lab, id)}`,
    };
  }
  return { ok: false, evidence: `${candidates.length} candidates, none matched: ${tried.join('; ')}`, hint: SHAPE_HINT };
}

export const checks: Check[] = [
  {
    id: 'service-names',
    needs: [NEEDS_CLUSTER('tempo'), { check: 'tempo/ready' }],
    title: { en: 'Tempo knows all five shop services', 'zh-TW': 'Tempo 認得商店的五個服務' },
    async probe(ctx) {
      const r = await tempoGet(ctx, '/api/search/tag/service.name/values');
      const body = r.json as { tagValues?: unknown[] } | undefined;
      // a real Tempo 2.2.2 with no data answers {} (tagValues left out when empty): no services yet, not "not Tempo"
      const values = body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0 ? [] : body?.tagValues;
      if (r.status !== 200 || !Array.isArray(values)) {
        return { ok: false, evidence: `GET /api/search/tag/service.name/values → ${r.status} ${r.body.trim().slice(0, 60) || 'empty body'}`, hint: fill(NOT_TEMPO_API, { what: r.status === 200 ? 'no "tagValues"' : `HTTP ${r.status}` }) };
      }
      const names = values.map((v) => (typeof v === 'string' ? v : (v as { value?: string }).value ?? ''));
      const missing = SERVICES.filter((s) => !names.includes(s));
      const evidence = `service.name values: ${names.join(', ') || '(none)'}`;
      if (!missing.length) return { ok: true, evidence };
      return { ok: false, evidence: `${evidence}; missing ${missing.join(', ')}`, hint: NO_TRACES_HINT };
    },
  },
  {
    id: 'search-tags',
    needs: [NEEDS_CLUSTER('tempo'), { check: 'tempo/ready' }],
    title: { en: 'tag search finds shop-backend traces', 'zh-TW': '依標籤搜尋可找到 shop-backend 的追蹤' },
    async probe(ctx) {
      const res = await search(ctx, { tags: 'service.name=shop-backend' });
      const evidence = `tags=service.name=shop-backend, last hour: ${res.traces.length} traces`;
      return res.traces.length ? { ok: true, evidence } : { ok: false, evidence, hint: NO_TRACES_HINT };
    },
  },
  {
    id: 'search-traceql',
    needs: [NEEDS_CLUSTER('tempo'), { check: 'tempo/ready' }],
    title: { en: 'TraceQL search finds shop-backend traces', 'zh-TW': 'TraceQL 搜尋可找到 shop-backend 的追蹤' },
    async probe(ctx) {
      const q = '{resource.service.name="shop-backend"}';
      const res = await search(ctx, { q });
      const evidence = `${q}, last hour: ${res.traces.length} traces`;
      return res.traces.length ? { ok: true, evidence } : { ok: false, evidence, hint: NO_TRACES_HINT };
    },
  },
  ...TEMPLATES.map((tpl): Check => ({ id: `trace-${tpl.id}`, title: tpl.title, needs: [NEEDS_CLUSTER('tempo'), { check: 'tempo/ready' }], probe: (ctx) => probeTemplate(ctx, tpl) })),
];

export const chapter: ChapterSpec = {
  title: { en: 'Finding traces through the Tempo API', 'zh-TW': '透過 Tempo API 查詢追蹤' },
  steps: [],
  checks,
};
