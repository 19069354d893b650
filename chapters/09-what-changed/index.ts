// Chapter 9, "What changed since the article": Tempo 3.0 next to the article's 2.2.2, each claim proved on the
// running lab of the `current` profile. Every check is Tempo 3's (not applicable on the article's profile).
// Facts and where they come from:
// - no ingester, no compactor; live-store, block-builder, backend scheduler and worker:
//   grafana-community/helm-charts@tempo-distributed-3.3.0 charts/tempo-distributed/UPGRADE.md "Architecture changes";
// - the ring pages: /live-store/ring and /partition-ring answer, /ingester/ring is 404 (measured on Tempo 3.0.3,
//   ../shared/reference/tempo-3-on-loopback/README.md "Pages", and here);
// - recent data is searched in the live-stores only (query_frontend.metrics.query_backend_after 15m in the chart's
//   render, manifests/rendered/tempo-distributed-3.3.0/);
// - in one process the live-store completes blocks into the backend (tempo_live_store_blocks_completed_total, and
//   a vParquet4 block's meta.json in storage.trace.local.path: measured here on 3.0.3);
// - TraceQL metrics: GET /api/metrics/query_range (grafana/tempo@v3.0.3 pkg/api/http.go).
import type { ChapterSpec, Check, Outcome } from '../../scripts/core/model.js';
import { NEEDS_CLUSTER } from '../../scripts/core/model.js';
import { counterValue } from '../../scripts/lab/prometheus.js';
import { RingPageSchema, newestBySeries, search, tempoGet, traceqlMetrics } from '../../scripts/lab/tempo.js';
import { SERVICES } from '../../scripts/lab/shop.js';
import type { Text } from '../../scripts/core/text.js';


const NOT_TEMPO_3: Text = {
  en: 'This page is not Tempo 3\'s: is the lab running the current profile (`workbook lab up --profile current`, or tempo-distributed 3.3.0 on kind)?',
  'zh-TW': '這不是 Tempo 3 的頁面：實驗環境執行的是 current 版本組合嗎（`workbook lab up --profile current`，或 kind 上的 tempo-distributed 3.3.0）？',
};

export const checks: Check[] = [
  {
    id: 'no-ingester-ring',
    tempo: 3,
    needs: [NEEDS_CLUSTER('tempo', 'distributor')],
    title: { en: 'no ingester ring: the live-stores hold the recent data (their ring has an ACTIVE member)', 'zh-TW': '沒有 ingester ring：最近的資料由 live-store 保存（它的 ring 有 ACTIVE 成員）' },
    async probe(ctx): Promise<Outcome> {
      const ingester = await tempoGet(ctx, '/ingester/ring', 'distributor', { Accept: 'application/json' });
      const live = await tempoGet(ctx, '/live-store/ring', 'distributor', { Accept: 'application/json' });
      const page = RingPageSchema.safeParse(live.json);
      const active = page.success ? page.data.shards.filter((s) => s.state === 'ACTIVE').map((s) => s.id) : [];
      const evidence = `GET /ingester/ring → ${ingester.status}; GET /live-store/ring → ${live.status}${page.success ? `, ${active.length} of ${page.data.shards.length} ACTIVE${active.length ? ` (${active.join(', ')})` : ''}` : ''}`;
      if (ingester.status === 404 && active.length) return { ok: true, evidence };
      if (ingester.status === 200) return { ok: false, final: true, evidence, hint: NOT_TEMPO_3 };
      return { ok: false, evidence, hint: { en: 'The live-store joins its ring as it starts: a few seconds after Tempo is ready. If it lasts, read its log (the embedded lab: `workbook lab status` names the folder).', 'zh-TW': 'live-store 啟動時會加入它的 ring：Tempo 就緒後幾秒。若一直如此，請看它的日誌（內建實驗環境：`workbook lab status` 會列出資料夾）。' } };
    },
  },
  {
    id: 'live-store-answers',
    tempo: 3,
    needs: [NEEDS_CLUSTER('tempo'), { check: 'what-changed/no-ingester-ring' }],
    title: { en: 'a search of the last two minutes answers (the live-stores serve it: no block is that recent)', 'zh-TW': '最近兩分鐘的搜尋有結果（由 live-store 回答：沒有這麼新的區塊）' },
    async probe(ctx): Promise<Outcome> {
      const end = Math.floor(ctx.clock.now() / 1000);
      const r = await search(ctx, { q: '{ resource.service.name = "shop-backend" }', limit: 20, start: end - 120, end });
      const evidence = `{ resource.service.name = "shop-backend" }, last 2 min: ${r.traces.length} traces`;
      if (r.traces.length) return { ok: true, evidence };
      return { ok: false, evidence, hint: { en: 'No trace of the last two minutes: is the traffic running (chapter 4)?', 'zh-TW': '最近兩分鐘沒有追蹤：流量有在送嗎（第 4 章）？' } };
    },
  },
  {
    id: 'block-written',
    tempo: 3,
    needs: [NEEDS_CLUSTER('tempo'), { check: 'what-changed/no-ingester-ring' }],
    title: { en: 'blocks reach the backend without an ingester (the block-builders write them; one process: its live-store)', 'zh-TW': '沒有 ingester，區塊仍會寫入後端（由 block-builder 寫入；單一程序時由 live-store）' },
    async probe(ctx): Promise<Outcome> {
      // microservices: each block-builder's consume cycles (a cycle reads its partition and writes the blocks)
      const builders = ctx.lab.embeddedBlockBuilders;
      if (builders?.length) {
        const pages = await Promise.all(builders.map(async (b) => (await ctx.http.request(`${b}/metrics`, { timeoutMs: 5000 }).catch(() => ({ body: '' }))).body));
        const cycles = pages.map((m) => counterValue(m, 'tempo_block_builder_consume_cycle_duration_seconds_count'));
        const records = pages.map((m) => counterValue(m, 'tempo_block_builder_fetch_records_total'));
        const evidence = `consume cycles, records read: ${pages.map((_, i) => `block-builder-${i} ${cycles[i] ?? '(absent)'}, ${records[i] ?? '(absent)'}`).join('; ')}`;
        // a cycle that read records wrote them as blocks (grafana/tempo@v3.0.3 modules/blockbuilder)
        if (pages.every((_, i) => (cycles[i] ?? 0) > 0 && (records[i] ?? 0) > 0)) return { ok: true, evidence };
        return { ok: false, evidence, hint: { en: 'A block-builder writes its blocks at the end of each consume cycle (block_builder.consume_cycle_duration; the lab\'s 15 s, Tempo\'s default 5 min): wait one cycle. If it lasts, its log says why (a partition it does not own?).', 'zh-TW': 'block-builder 在每個消費週期結束時寫出區塊（block_builder.consume_cycle_duration；實驗環境為 15 秒，Tempo 預設 5 分鐘）：等一個週期。若一直如此，看它的日誌（是否有它不擁有的分割區？）。' } };
      }
      const r = await tempoGet(ctx, '/metrics', 'distributor');
      const completed = counterValue(r.body, 'tempo_live_store_blocks_completed_total');
      const evidence = `tempo_live_store_blocks_completed_total ${completed ?? '(absent)'}`;
      if ((completed ?? 0) > 0) return { ok: true, evidence };
      return { ok: false, evidence, hint: { en: 'No block completed yet: the live-store cuts one every max_block_duration (a minute or so with traffic). On a cluster the block-builder writes them, after a consume cycle.', 'zh-TW': '尚未完成任何區塊：live-store 每隔 max_block_duration 切一個區塊（有流量時約一分鐘）。在叢集上則由 block-builder 在一個消費週期後寫入。' } };
    },
  },
  {
    id: 'traceql-metrics',
    tempo: 3,
    needs: [NEEDS_CLUSTER('tempo')],
    title: { en: 'a TraceQL metrics query answers: { } | rate() by service', 'zh-TW': 'TraceQL 指標查詢有回應：{ } | rate() by 服務' },
    async probe(ctx): Promise<Outcome> {
      const got = await traceqlMetrics(ctx, '{ } | rate() by (resource.service.name)', 120);
      if ('refused' in got) return { ok: false, final: got.status === 404 || got.status === 400, evidence: `GET /api/metrics/query_range → ${got.status} ${got.refused}`, hint: NOT_TEMPO_3 };
      const rates = newestBySeries(got.answer);
      const evidence = `{ } | rate() by (resource.service.name), last 2 min: ${[...rates].map(([k, v]) => `${k} ${v.toFixed(2)}/s`).join(', ') || 'no series'}`;
      const missing = SERVICES.filter((s) => !rates.has(s));
      if (!missing.length) return { ok: true, evidence };
      return { ok: false, evidence: `${evidence}; missing ${missing.join(', ')}`, hint: { en: 'TraceQL metrics answer from recent spans: is the traffic running (chapter 4)? A service appears once its spans arrive.', 'zh-TW': 'TraceQL 指標由最近的 span 算出：流量有在送嗎（第 4 章）？服務的 span 送達後就會出現。' } };
    },
  },
];

export const chapter: ChapterSpec = {
  after: ['traces'],
  title: { en: 'What changed since the article: Tempo 3', 'zh-TW': '文章之後的變化：Tempo 3' },
  steps: [],
  checks,
};
