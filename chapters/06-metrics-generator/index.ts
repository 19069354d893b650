import type { ChapterSpec, LabContext, Check, Outcome } from '../../scripts/core/model.js';
import { NEEDS_CLUSTER } from '../../scripts/core/model.js';
import { promExemplars, promFlags, promQuery, promStartedAt, type ExemplarSeries, counterValue } from '../../scripts/lab/prometheus.js';
import { fetchTrace, padTraceId, processorsIn, readTempoConfig, grafanaNote, goDurationS, spansArriving, NO_SPANS_ARRIVING } from '../../scripts/lab/tempo.js';
import { fill, type Text } from '../../scripts/core/text.js';
import { WorkbookError } from '../../scripts/core/errors.js';
import { receiverOn, exemplarStorageOn } from '../02-prometheus/index.js';
import { SERVICES, serviceGraph } from '../../scripts/lab/shop.js';

const GRAPH = serviceGraph();
/** Edges the shop's templates imply (scripts/lab/shop.ts): user is the virtual node in front of every root span. */
export const EDGES: [string, string][] = GRAPH.edges;
/**
 * Edges with failed requests: only the 403 call, shop-backend → auth-service, whose CLIENT span is ERROR.
 * user → shop-backend never fails: xk6-client-tracing v0.0.2 leaves the 403 root SERVER span's status unset
 * (shared/reference captures prom__api_v1_query__failed_by_edge_xk6_v0.0.2_statuses.json).
 */
export const FAILING_EDGES: [string, string][] = GRAPH.failing;

export const BUCKETS = ['traces_spanmetrics_latency_bucket', 'traces_service_graph_request_server_seconds_bucket', 'traces_service_graph_request_client_seconds_bucket'];
/**
 * How far back exemplars are looked for: long enough for several collections (15 s each), short enough that a
 * generator that stopped sending them is seen within two minutes, not ten.
 */
export const EXEMPLAR_WINDOW_S = 120;
/** Newest first; the newest trace may not be queryable yet, and a lab may keep exemplars of expired traces. */
export const MAX_EXEMPLARS_FOLLOWED = 60;
/**
 * How recent "now" is: the generator writes every active series once per collection (15 s by default, kept until
 * the registry's stale_duration: grafana/tempo@v2.2.2 modules/generator/registry/config.go), so a minute holds four
 * writes, and a generator that stopped writing (a fault, a fix not yet live) is seen within a minute. Prometheus'
 * own lookback (5 min) would keep showing what was written before.
 */
const RATE = '1m';
/** The shortest window worth reading: two of the generator's 15 s collections. */
const MIN_WINDOW_S = 30;

/**
 * The window a check reads, `fullS` seconds back, but never before ctx.since (a challenge's start: what was written
 * before the fault cannot show it fixed). Too short yet: how long to wait.
 */
export function windowAfter(ctx: LabContext, fullS: number): { s: number; range: string } | { waitS: number; ageS: number } {
  const age = ctx.since === undefined ? Infinity : Math.floor((ctx.clock.now() - ctx.since) / 1000);
  const s = Math.min(fullS, age);
  if (s < MIN_WINDOW_S) return { waitS: MIN_WINDOW_S - s, ageS: Math.max(0, age) };
  return { s, range: s === fullS && fullS === 60 ? RATE : `${s}s` };
}
const WAITING: Text = {
  en: 'The challenge began moments ago: what Prometheus holds from before it cannot tell whether it is fixed. Check again in a few seconds.',
  'zh-TW': '挑戰剛開始：Prometheus 裡挑戰開始之前的資料無法判斷是否已修復。幾秒後再檢查一次。',
};
const notYet = (w: { waitS: number; ageS: number }): Outcome => ({ ok: false, evidence: `not yet: the challenge began ${w.ageS} s ago; this check reads at least ${MIN_WINDOW_S} s of data written after it (${w.waitS} s to go)`, hint: WAITING });


/**
 * A check that read nothing (not a final cause) while Prometheus is younger than two collections and the shortest
 * window and holds fewer than two of the generator's writes: Prometheus restarted empty, and that is what it says, with how long it waits at most; after that the
 * check's own diagnosis stands. Passing readings and final causes pass through: data there is data written since.
 */
export function afterPromRestart(probe: Check['probe']): Check['probe'] {
  return async (ctx) => {
    const got = await probe(ctx);
    if (got.ok || got.final) return got;
    const started = await promStartedAt(ctx);
    if (started === undefined) return got;
    const { config } = await readTempoConfig(ctx).catch(() => ({ config: undefined }));
    const youngS = 2 * (goDurationS(config?.metrics_generator?.registry?.collection_interval) ?? 15) + MIN_WINDOW_S;
    const ageS = Math.max(0, Math.floor((ctx.clock.now() - started) / 1000));
    if (ageS >= youngS) return got;
    // young, and holding fewer than two of the generator's writes since it started (a rate needs two): the short
    // history explains the empty reading; with two or more, the check's own diagnosis stands
    // (over the young window: a restarted Prometheus holds nothing older anyway)
    const range = `${youngS}s`;
    const writes = await promQuery(ctx, `max(count_over_time(traces_spanmetrics_calls_total[${range}])) or max(count_over_time(traces_service_graph_request_total[${range}]))`).then((r) => (r.length ? Number(r[0]!.value[1]) : 0), () => undefined);
    if (writes === undefined || writes >= 2) return got;
    return { ...got, evidence: `${got.evidence}; Prometheus started ${ageS} s ago with no data from before: waiting for the generator's next writes (${youngS - ageS} s at most)`, hint: CAUSE.promRestarted };
  };
}

const key = (c: string, s: string) => `${c} → ${s}`;

/** The diagnoses the article's notes give, as hints. */
export const CAUSE = {
  receiverOff: {
    en: 'Prometheus has its remote-write receiver off, so the metrics generator\'s writes are refused (404). Turn on prometheus.prometheusSpec.enableRemoteWriteReceiver (chapter 2).',
    'zh-TW': 'Prometheus 沒有開啟 remote write 接收，metrics generator 的寫入會被拒絕（404）。請開啟 prometheus.prometheusSpec.enableRemoteWriteReceiver（第 2 章）。',
  },
  processorsMissing: {
    en: 'Tempo\'s overrides list no metrics-generator processors ({processors}): the generator runs but computes nothing. Add service-graphs and span-metrics to global_overrides.metrics_generator_processors (chapter 3).',
    'zh-TW': 'Tempo 的 overrides 沒有列出 metrics generator 處理器（{processors}）：generator 有在執行卻什麼也不計算。請在 global_overrides.metrics_generator_processors 加入 service-graphs 與 span-metrics（第 3 章）。',
  },
  noRemoteWrite: {
    en: 'The metrics generator has no remote_write target: set metricsGenerator.config.storage.remote_write to this Prometheus\' /api/v1/write (chapter 3).',
    'zh-TW': 'metrics generator 沒有設定 remote_write 目標：請把 metricsGenerator.config.storage.remote_write 設為這個 Prometheus 的 /api/v1/write（第 3 章）。',
  },
  remoteWriteRefused: {
    en: 'The metrics generator delivers its series to {url}, and the server there refuses them ({failed} samples failed, not retried: an HTTP 4xx). Prometheus takes remote writes only at /api/v1/write, and only with its receiver on. {path}Fix metricsGenerator.config.storage.remote_write (chapter 3); in the lab it is http://prometheus-stack-prometheus.prometheus:9090/api/v1/write.',
    'zh-TW': 'metrics generator 有把時間序列送到 {url}，但那裡的伺服器拒收（{failed} 個樣本失敗且不重試：HTTP 4xx）。Prometheus 只在 /api/v1/write 接收 remote write，而且要開啟接收功能。{path}請修正 metricsGenerator.config.storage.remote_write（第 3 章）；實驗環境中應為 http://prometheus-stack-prometheus.prometheus:9090/api/v1/write。',
  },
  remoteWritePath: {
    en: 'This URL\'s path is {path}, not /api/v1/write. ',
    'zh-TW': '這個網址的路徑是 {path}，不是 /api/v1/write。',
  },
  tempoUnreachable: {
    en: 'No traces_* series, and Tempo cannot be asked why: {why}. The series come from Tempo\'s metrics generator, so start with Tempo (chapter 3): is it running, and is --tempo-url (or the port-forward) right?',
    'zh-TW': '沒有 traces_* 時間序列，而且無法詢問 Tempo 原因：{why}。這些時間序列來自 Tempo 的 metrics generator，請先檢查 Tempo（第 3 章）：它有在執行嗎？--tempo-url（或 port-forward）正確嗎？',
  },
  remoteWriteFails: {
    en: 'The metrics generator computes series but cannot deliver them to {url}: {why}. Is that Prometheus\' address? In the lab it is http://prometheus-stack-prometheus.prometheus:9090/api/v1/write (metricsGenerator.config.storage.remote_write, chapter 3).',
    'zh-TW': 'metrics generator 有計算出時間序列，卻無法送到 {url}：{why}。這是 Prometheus 的位址嗎？實驗環境中應為 http://prometheus-stack-prometheus.prometheus:9090/api/v1/write（metricsGenerator.config.storage.remote_write，第 3 章）。',
  },
  waiting: {
    en: 'No traces_* series yet. The generator writes every collection interval (15 s by default), so series come 15–30 s after the first spans. If it lasts: are spans arriving (chapter 4), and does the remote_write URL ({url}) reach this Prometheus?',
    'zh-TW': '尚未出現 traces_* 時間序列。generator 每個收集週期（預設 15 秒）寫入一次，第一批 span 之後約 15–30 秒才會出現。若一直沒有：span 是否有送達（第 4 章）？remote_write 網址（{url}）是否連得到這個 Prometheus？',
  },
  unpaired: {
    en: 'Span metrics exist but these edges do not: service graphs need pairs, a CLIENT span whose child is a SERVER span in another service. Spans of kind INTERNAL or UNSPECIFIED make no edges. A user→ edge also waits for service_graphs.wait (10 s) before it is written.',
    'zh-TW': '已有 span 指標，但缺少這些邊：服務圖需要成對的 span，也就是 CLIENT span 的子 span 是另一個服務中的 SERVER span。INTERNAL 或 UNSPECIFIED 類型的 span 不會形成邊。user→ 的邊還要等 service_graphs.wait（10 秒）才會寫入。',
  },
  promRestarted: {
    en: 'Prometheus started moments ago and keeps nothing from before (the chart gives it an emptyDir; the embedded lab starts it afresh): the generator\'s series come back with its next writes, every collection interval (15 s by default). Check again shortly; if it lasts past that, this check says what is missing.',
    'zh-TW': 'Prometheus 剛剛才啟動，之前的資料都不在了（chart 給它的是 emptyDir；內建實驗環境會重新啟動它）：generator 下一次寫入時（每個收集週期，預設 15 秒）時間序列就會回來。稍後再檢查一次；若超過那段時間仍沒有，這項檢查會說明缺了什麼。',
  },
  generatorStarting: {
    en: 'The metrics generator was started again moments ago and has not written yet: its first series come one or two collection intervals (15 s by default) after it joins its ring. Check again shortly.',
    'zh-TW': 'metrics generator 剛剛重新啟動，還沒有寫入：它加入 ring 之後，過一到兩個收集週期（預設 15 秒）才會寫出第一批序列。稍後再檢查一次。',
  },
  generatorStopped: {
    en: 'The metrics generator stopped writing: its series are there, but nothing new came for more than two of its collection intervals. Is it running? (kind: `kubectl -n tracing get pods -l app.kubernetes.io/component=metrics-generator`; the embedded lab: `workbook lab status`, then `workbook lab start tempo-metrics-generator`.)',
    'zh-TW': 'metrics generator 停止寫入了：序列還在，但超過兩個收集週期都沒有新資料。它有在執行嗎？（kind：`kubectl -n tracing get pods -l app.kubernetes.io/component=metrics-generator`；內建實驗環境：`workbook lab status`，再 `workbook lab start tempo-metrics-generator`。）',
  },
  noServiceGraphs: {
    en: 'There are span metrics but no service-graph series: service-graphs is not among the processors in Tempo\'s overrides (read from its /status/config). Add it to global_overrides.metrics_generator_processors (chapter 3).',
    'zh-TW': '有 span 指標卻沒有服務圖時間序列：Tempo 的 overrides 處理器中沒有 service-graphs（從它的 /status/config 讀到）。請把它加到 global_overrides.metrics_generator_processors（第 3 章）。',
  },
  noSpanMetrics: {
    en: 'No span metrics for these services: span-metrics must be among the processors in Tempo\'s overrides (global_overrides.metrics_generator_processors, chapter 3), and the services must be sending spans (chapter 4).',
    'zh-TW': '這些服務沒有 span 指標：Tempo overrides 的處理器必須包含 span-metrics（第 3 章），而且這些服務要有送出 span（第 4 章）。',
  },
  unexpectedFailures: {
    en: 'Requests fail on an edge where the article\'s templates never fail. An edge counts a failure when its client or server span has status ERROR; xk6-client-tracing sets that only on the CLIENT span of the 403 call (shop-backend → auth-service). Is another generator sending to this Tempo?',
    'zh-TW': '在文章模板不會失敗的邊上出現失敗請求。當邊的 client 或 server span 狀態為 ERROR 時才算失敗；xk6-client-tracing 只會把 403 呼叫的 CLIENT span（shop-backend → auth-service）設為 ERROR。是否有其他產生器也在送資料到這個 Tempo？',
  },
  exemplarStorageOff: {
    en: 'Series arrive but Prometheus keeps no exemplars: exemplar-storage is off, so the remote-written exemplars are dropped: metrics, but no trace links. Add exemplar-storage to prometheus.prometheusSpec.enableFeatures (chapter 2).',
    'zh-TW': '時間序列有送達，但 Prometheus 沒有保存 exemplar：未開啟 exemplar-storage，遠端寫入的 exemplar 會被丟棄：只有指標，沒有連到追蹤的連結。請在 prometheus.prometheusSpec.enableFeatures 加入 exemplar-storage（第 2 章）。',
  },
  sendExemplarsOff: {
    en: 'The metrics generator does not send exemplars: set send_exemplars: true in metricsGenerator.config.storage.remote_write (chapter 3).',
    'zh-TW': 'metrics generator 沒有送出 exemplar：請在 metricsGenerator.config.storage.remote_write 設定 send_exemplars: true（第 3 章）。',
  },
  noExemplarToFollow: {
    en: 'The exemplars check found exemplars a moment ago, but none with a traceID is in the window now: send traffic (chapter 4) and verify again.',
    'zh-TW': 'exemplar 檢查剛才有找到 exemplar，但現在的時間範圍內沒有帶 traceID 的：請送出流量（第 4 章）後再驗證一次。',
  },
  switchesUnread: {
    en: 'No exemplars yet, and {what} could not be read, so the switches are unknown: check exemplar-storage in Prometheus (chapter 2) and send_exemplars in Tempo (chapter 3) by hand.',
    'zh-TW': '目前沒有 exemplar，而且讀不到 {what}，所以無法確認開關：請手動檢查 Prometheus 的 exemplar-storage（第 2 章）與 Tempo 的 send_exemplars（第 3 章）。',
  },
  noExemplarsYet: {
    en: 'No exemplars in the last minutes although the switches look right: each bucket sends at most one exemplar per collection, so wait for traffic (chapter 4).',
    'zh-TW': '開關看起來都正確，但最近幾分鐘沒有 exemplar：每個區間每次收集最多送出一個 exemplar，請等待流量（第 4 章）。',
  },
  unresolved: {
    en: 'Exemplar trace ids do not open in Tempo. Are this Prometheus and this Tempo from the same lab? With the article\'s `backend: local`, a trace can be read only for about 15–45 minutes (while an ingester holds it; the queriers cannot read the ingesters\' blocks), so older exemplars point at traces that are gone: send fresh traffic (chapter 4), or use --profile article-minio to keep traces for the retention. A brand-new trace also needs a second or two.',
    'zh-TW': 'exemplar 的追蹤 ID 在 Tempo 中打不開。這個 Prometheus 與這個 Tempo 是否屬於同一個實驗環境？在文章的 `backend: local` 下，追蹤大約只能在 15–45 分鐘內讀到（也就是還在 ingester 手上時；querier 讀不到 ingester 磁碟上的區塊），所以較舊的 exemplar 會指向已消失的追蹤：請送出新的流量（第 4 章），或使用 --profile article-minio 讓追蹤保留到期限。剛送出的追蹤也需要一兩秒才查得到。',
  },

} satisfies Record<string, Text>;

/**
 * The metrics generator's own remote-write counters (Prometheus' remote storage inside Tempo: grafana/tempo@v2.2.2
 * vendors prometheus/storage/remote; names as the real 2.2.2 /metrics shows them). Nothing delivered (bytes 0) while
 * samples wait and are retried means the target does not take them.
 */
export async function remoteWriteState(ctx: LabContext): Promise<{ url: string; bytes: number; pending: number; retried: number; failed: number; sent: number; dialFailures: number; why: string } | undefined> {
  const base = await ctx.endpoint('generator');
  const r = await ctx.http.request(`${base}/metrics`, { timeoutMs: 10_000 });
  if (r.status !== 200) return undefined;
  const sum = (name: string, where = '') => counterValue(r.body, name, where);
  const url = /prometheus_remote_storage_samples_pending\{[^}]*url="([^"]+)"/.exec(r.body)?.[1];
  if (!url) return undefined;
  const refused = sum('net_conntrack_dialer_conn_failed_total', 'dialer_name="remote_storage_write_client",reason="refused"') ?? 0;
  const resolution = sum('net_conntrack_dialer_conn_failed_total', 'dialer_name="remote_storage_write_client",reason="resolution"') ?? 0;
  const why = resolution ? `the host name does not resolve (${resolution} attempts)` : refused ? `connection refused (${refused} attempts)` : 'nothing delivered';
  const dialFailures = resolution + refused;
  return {
    url,
    bytes: sum('prometheus_remote_storage_bytes_total') ?? 0,
    pending: sum('prometheus_remote_storage_samples_pending') ?? 0,
    retried: sum('prometheus_remote_storage_samples_retried_total') ?? 0,
    // non-recoverable: the server answered 4xx; the samples are dropped, never retried (observed on the real 2.2.2
    // writing to Prometheus 2.42 at a wrong path: failed grows, retried stays 0, bytes are still counted)
    failed: sum('prometheus_remote_storage_samples_failed_total') ?? 0,
    // every sample sent (failed or not): counters are cumulative, so a fixed target shows as sent > failed
    sent: sum('prometheus_remote_storage_samples_total') ?? 0,
    dialFailures,
    why,
  };
}

/** The generator's remote-write counters at the last reading of this run (a probe's earlier attempt). */
const lastSends = new WeakMap<object, { url: string; sent: number; failed: number }>();

/** Why are there no traces_* series at all? Ask Prometheus and Tempo, name the first cause found. */
/** Why the generator's newest sample is too old to be writing now, or undefined (fresh, or not read). */
async function generatorStale(ctx: LabContext): Promise<string | { startedS: number } | undefined> {
  const { config } = await readTempoConfig(ctx).catch(() => ({ config: undefined }));
  const intervalS = goDurationS(config?.metrics_generator?.registry?.collection_interval) ?? 15;
  // one name at a time: timestamp() drops the metric name, and two names' series would then collide (HTTP 422,
  // "vector cannot contain metrics with the same labelset", seen on Prometheus 2.42)
  const ages = await Promise.all(['traces_spanmetrics_calls_total', 'traces_service_graph_request_total'].map((m) => promQuery(ctx, `time() - max(timestamp(${m}))`).then((r) => (r.length ? Number(r[0]!.value[1]) : undefined), () => undefined)));
  const known = ages.filter((a): a is number => a !== undefined && Number.isFinite(a));
  const age = known.length ? Math.min(...known) : undefined;
  // two collections and a few seconds for the remote write to land (its batches wait up to 5 s), at least 30 s
  const limitS = Math.max(30, 2 * intervalS + 5);
  if (age === undefined || !Number.isFinite(age) || age <= limitS) return undefined;
  // a generator started again after its newest sample (the learner's fix) has not written yet: not stopped, as
  // long as it is younger than the same two collections (its own process_start_time_seconds)
  const startedS = await generatorStartedS(ctx);
  if (startedS !== undefined && startedS < age && startedS <= limitS) return { startedS };
  return `the newest sample is ${Math.round(age)} s old (the generator collects every ${intervalS} s): nothing was written since`;
}

/** How long ago the metrics generator's process started (its own /metrics), or undefined when it does not answer. */
async function generatorStartedS(ctx: LabContext): Promise<number | undefined> {
  const base = await ctx.endpoint('generator').catch(() => undefined);
  if (!base) return undefined;
  const r = await ctx.http.request(`${base}/metrics`, { timeoutMs: 5_000 }).catch(() => undefined);
  if (r?.status !== 200) return undefined;
  const started = counterValue(r.body, 'process_start_time_seconds');
  return started === undefined ? undefined : Math.max(0, ctx.clock.now() / 1000 - started);
}

/** The metrics-generator processors Tempo runs with (its overrides, read from /status/config); undefined when unread. */
async function processorsOf(ctx: LabContext): Promise<string[] | undefined> {
  const { config } = await readTempoConfig(ctx).catch(() => ({ config: undefined }));
  if (!config) return undefined;
  return processorsIn(config) ?? [];
}

export async function diagnoseNoSeries(ctx: LabContext): Promise<{ hint: Text; final: boolean; cause: string }> {
  const flags = await promFlags(ctx);
  if (flags && !receiverOn(flags)) return { hint: CAUSE.receiverOff, final: true, cause: 'remote-write receiver off' };
  // a Tempo that refuses or does not resolve (a final WorkbookError) is the cause: nothing can write series
  let unreachable: string | undefined;
  const { config } = await readTempoConfig(ctx).catch((err: unknown) => {
    if (err instanceof WorkbookError && err.final) unreachable = err.message;
    return { config: undefined };
  });
  if (unreachable) return { hint: fill(CAUSE.tempoUnreachable, { why: unreachable }), final: true, cause: `Tempo cannot be reached: ${unreachable}` };
  const processors = config ? processorsIn(config) : undefined;
  // no series at all: only a list with neither processor explains it (span-metrics alone still writes series)
  if (config && !(processors ?? []).some((p) => p === 'service-graphs' || p === 'span-metrics')) {
    return { hint: fill(CAUSE.processorsMissing, { processors: processors?.join(', ') || 'none' }), final: true, cause: 'processors missing from overrides' };
  }
  const targets = config?.metrics_generator?.storage?.remote_write ?? [];
  if (config && !targets.some((t) => t.url)) return { hint: CAUSE.noRemoteWrite, final: true, cause: 'no remote_write target' };
  const rw = await remoteWriteState(ctx).catch(() => undefined);
  // refused now (a 4xx): the counters are cumulative, so the verdict is read from what changed since this run's
  // last reading: samples sent since then, every one of them failed. A target just fixed (the receiver switched on
  // on the same port, the path corrected) shows sends that did not fail, or none yet: then it is not named.
  const before = rw ? lastSends.get(ctx.facts) : undefined;
  if (rw) lastSends.set(ctx.facts, { url: rw.url, sent: rw.sent, failed: rw.failed });
  const newlySent = rw && before && before.url === rw.url ? rw.sent - before.sent : 0;
  const newlyFailed = rw && before && before.url === rw.url ? rw.failed - before.failed : 0;
  if (rw && newlySent > 0 && newlyFailed >= newlySent) {
    const path = new URL(rw.url, 'http://x').pathname;
    const wrongPath = path !== '/api/v1/write' ? fill(CAUSE.remoteWritePath, { path }) : undefined;
    const hint = fill(CAUSE.remoteWriteRefused, { url: rw.url, failed: rw.failed });
    return {
      hint: { en: hint.en.replace('{path}', wrongPath?.en ?? ''), 'zh-TW': hint['zh-TW'].replace('{path}', wrongPath?.['zh-TW'] ?? '') },
      final: true,
      cause: `remote write to ${rw.url} refused: ${rw.failed} samples failed (HTTP 4xx, not retried)`,
    };
  }
  // nothing delivered while samples wait: retried sends, or dials that failed (refused, or a name that does not
  // resolve: the dialer counts those before any retry is accounted)
  if (rw && rw.pending > 0 && rw.bytes === 0 && (rw.retried > 0 || rw.dialFailures > 0)) {
    return { hint: fill(CAUSE.remoteWriteFails, { url: rw.url, why: rw.why }), final: true, cause: `remote write to ${rw.url} fails (${rw.why})` };
  }
  return { hint: fill(CAUSE.waiting, { url: targets.map((t) => t.url).join(', ') || '?' }), final: false, cause: 'no series yet' };
}

const GENERATED = '{__name__=~"traces_service_graph_.+|traces_spanmetrics_.+"}';
/** What the series check asks: names with a sample in the last 5 minutes (the query's lookback), so old names kept for the retention (10d) do not count. */
export const SERIES_QUERY = `count by (__name__) (${GENERATED})`;
/**
 * And how many series of each name had a sample in the last minute: is the generator writing now? A range function
 * drops the metric name, so each name is counted on its own and labelled back (one regex over all of them would give
 * Prometheus series that differ only by name: "vector cannot contain metrics with the same labelset", HTTP 422).
 */
export const freshQuery = (names: string[], range = RATE) => names.map((n) => `label_replace(count(count_over_time(${n}[${range}])), "name", "${n}", "", "")`).join(' or ');

async function metricNames(ctx: LabContext): Promise<string[]> {
  return (await promQuery(ctx, SERIES_QUERY)).map((r) => r.metric.__name__ ?? '?').sort();
}

async function freshSeries(ctx: LabContext, names: string[], range: string): Promise<number> {
  if (!names.length) return 0;
  return (await promQuery(ctx, freshQuery(names.filter((n) => /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(n)), range))).reduce((n, r) => n + Number(r.value[1]), 0);
}

function byEdge(rows: { metric: Record<string, string>; value: [number, string] }[]): Map<string, number> {
  return new Map(rows.map((r) => [key(r.metric.client ?? '?', r.metric.server ?? '?'), Number(r.value[1])]));
}

/** A small service-graph table: one row an edge, request rate and failed rate. */
export function edgeTable(rows: { edge: string; rate?: number; failed?: number }[]): string {
  const w = Math.max(18, ...rows.map((r) => r.edge.length));
  const num = (n?: number) => (n === undefined ? '—' : n.toFixed(3)).padStart(9);
  return [`${'edge'.padEnd(w)} ${'req/s'.padStart(9)} ${'failed/s'.padStart(9)}`, ...rows.map((r) => `${r.edge.padEnd(w)} ${num(r.rate)} ${num(r.failed)}`)].join('\n');
}

async function exemplarsNow(ctx: LabContext, windowS: number): Promise<{ metric: string; series: ExemplarSeries[] }[]> {
  const end = Math.floor(ctx.clock.now() / 1000);
  return Promise.all(BUCKETS.map(async (metric) => ({ metric, series: await promExemplars(ctx, metric, end - windowS, end) })));
}

const checkList: Check[] = [
  {
    id: 'series',
    needs: [NEEDS_CLUSTER('prometheus'), { check: 'prometheus/prometheus-ready' }],
    title: { en: 'the metrics generator writes traces_* series to Prometheus', 'zh-TW': 'metrics generator 把 traces_* 時間序列寫入 Prometheus' },
    async probe(ctx) {
      const w = windowAfter(ctx, 60);
      if ('waitS' in w) return notYet(w);
      const names = await metricNames(ctx);
      const fresh = await freshSeries(ctx, names, w.range);
      if (names.length && fresh > 0) {
        // written now? the newest sample is at most two of the generator's collections old (the interval read from
        // Tempo), else the generator stopped: said within about 30 s, not after the window runs out
        const stale = await generatorStale(ctx);
        if (typeof stale === 'object') return { ok: false, evidence: `${fresh} series written in the last ${w.range}; the metrics generator started ${Math.round(stale.startedS)} s ago and has not written since`, hint: CAUSE.generatorStarting };
        if (stale) return { ok: false, final: true, evidence: `${fresh} series written in the last ${w.range}, but ${stale}`, hint: CAUSE.generatorStopped };
        return { ok: true, evidence: `${fresh} series written in the last ${w.range}, ${names.length} metric names: ${names.join(', ')}` };
      }
      const d = await diagnoseNoSeries(ctx);
      const what = names.length ? `${names.length} metric names written in the last 5 min, but no sample in the last ${w.range}: the generator stopped writing` : 'no traces_service_graph_* or traces_spanmetrics_* series written in the last 5 min';
      return { ok: false, final: d.final, evidence: `${what} (${d.cause})`, hint: d.hint };
    },
  },
  {
    id: 'service-graph-edges',
    needs: [NEEDS_CLUSTER('prometheus'), { check: 'prometheus/prometheus-ready' }, { check: 'metrics-generator/series' }],
    title: { en: 'every service-graph edge of the shop has a rising request count', 'zh-TW': '商店的每條服務圖邊都有持續增加的請求數' },
    async probe(ctx): Promise<Outcome> {
      const w = windowAfter(ctx, 60);
      if ('waitS' in w) return notYet(w);
      const RATE = w.range;
      const [rising, rates, failed] = await Promise.all([
        promQuery(ctx, `sum by (client, server) (increase(traces_service_graph_request_total[${RATE}]))`).then(byEdge),
        promQuery(ctx, `sum by (client, server) (rate(traces_service_graph_request_total[${RATE}]))`).then(byEdge),
        promQuery(ctx, `sum by (client, server) (rate(traces_service_graph_request_failed_total[${RATE}]))`).then(byEdge),
      ]);
      const edges = EDGES.map(([c, s]) => key(c, s));
      const extra = [...rates.keys()].filter((e) => !edges.includes(e));
      const details = edgeTable([...edges, ...extra].map((edge) => ({ edge, rate: rates.get(edge), failed: rates.has(edge) ? (failed.get(edge) ?? 0) : undefined })));
      const missing = edges.filter((e) => !((rising.get(e) ?? 0) > 0));
      if (!missing.length) return { ok: true, evidence: `${edges.length}/${edges.length} edges rising over ${RATE}`, details };
      const evidence = `${edges.length - missing.length}/${edges.length} edges rising over ${RATE}; missing or flat: ${missing.join(', ')}`;
      // nothing rising anywhere: are spans reaching Tempo at all? (read, not guessed)
      if (missing.length === edges.length) {
        const flow = await spansArriving(ctx);
        if (flow && !flow.arriving) return { ok: false, final: true, evidence: `${evidence}; ${flow.evidence}: no span is arriving`, hint: NO_SPANS_ARRIVING, details };
      }
      if (rates.size === 0) {
        const spans = await promQuery(ctx, 'count(traces_spanmetrics_calls_total)');
        if (spans.length) {
          // which processors Tempo is told to run, read from it: the one missing is the cause, said at once
          const p = await processorsOf(ctx);
          if (p && !p.includes('service-graphs')) return { ok: false, final: true, evidence: `${evidence} (span metrics exist, no service-graph series; Tempo's processors: ${p.join(', ') || 'none'})`, hint: CAUSE.noServiceGraphs, details };
          if (!p) return { ok: false, evidence: `${evidence} (span metrics exist, no service-graph series; Tempo's processors could not be read)`, hint: fill(CAUSE.switchesUnread, { what: 'Tempo\'s configuration' }), details };
          return { ok: false, evidence: `${evidence} (span metrics exist, no service-graph series yet; service-graphs is among Tempo's processors)`, hint: CAUSE.unpaired, details };
        }
        const d = await diagnoseNoSeries(ctx);
        return { ok: false, final: d.final, evidence: `${evidence} (${d.cause})`, hint: d.hint, details };
      }
      return { ok: false, evidence, hint: CAUSE.unpaired, details };
    },
  },
  {
    id: 'failed-requests',
    needs: [NEEDS_CLUSTER('prometheus'), { check: 'prometheus/prometheus-ready' }, { check: 'metrics-generator/series' }],
    title: { en: 'failed requests only on the 403 path', 'zh-TW': '只有 403 路徑上有失敗請求' },
    async probe(ctx) {
      const failed = byEdge(await promQuery(ctx, 'sum by (client, server) (traces_service_graph_request_failed_total)'));
      const expected = FAILING_EDGES.map(([c, s]) => key(c, s));
      const wrong = [...failed.entries()].filter(([e, n]) => n > 0 && !expected.includes(e));
      const onPath = expected.filter((e) => (failed.get(e) ?? 0) > 0);
      const shown = [...failed.entries()].filter(([, n]) => n > 0).map(([e, n]) => `${e} (${n})`).join(', ') || 'none';
      if (wrong.length) return { ok: false, final: true, evidence: `failed requests on ${wrong.map(([e, n]) => `${e} (${n})`).join(', ')}`, hint: CAUSE.unexpectedFailures };
      if (onPath.length === expected.length) return { ok: true, evidence: `failed requests only on the 403 path: ${shown}` };
      if (!failed.size) {
        const p = await processorsOf(ctx);
        if (p && !p.includes('service-graphs')) return { ok: false, final: true, evidence: `expected failures on ${expected.join(' and ')}; no service-graph series (Tempo's processors: ${p.join(', ') || 'none'})`, hint: CAUSE.noServiceGraphs };
      }
      const d = failed.size ? { hint: CAUSE.unpaired, final: false, cause: 'partly there' } : await diagnoseNoSeries(ctx);
      return { ok: false, final: d.final, evidence: `expected failures on ${expected.join(' and ')}; found ${shown}`, hint: d.hint };
    },
  },
  {
    id: 'span-metrics',
    needs: [NEEDS_CLUSTER('prometheus'), { check: 'prometheus/prometheus-ready' }, { check: 'metrics-generator/series' }],
    title: { en: 'span metrics for every service', 'zh-TW': '每個服務都有 span 指標' },
    async probe(ctx) {
      const w = windowAfter(ctx, 60);
      if ('waitS' in w) return notYet(w);
      const RATE = w.range;
      const rows = await promQuery(ctx, `sum by (service) (increase(traces_spanmetrics_calls_total[${RATE}]))`);
      const calls = new Map(rows.map((r) => [r.metric.service ?? '?', Number(r.value[1])]));
      const missing = SERVICES.filter((s) => !((calls.get(s) ?? 0) > 0));
      const evidence = `calls in the last ${RATE}: ${SERVICES.map((s) => `${s} ${Math.round(calls.get(s) ?? 0)}`).join(', ')}`;
      if (!missing.length) return { ok: true, evidence };
      const p = await processorsOf(ctx);
      if (p && !p.includes('span-metrics')) return { ok: false, final: true, evidence: `${evidence} (Tempo's processors: ${p.join(', ') || 'none'})`, hint: CAUSE.noSpanMetrics };
      if (missing.length === SERVICES.length) {
        const flow = await spansArriving(ctx);
        if (flow && !flow.arriving) return { ok: false, final: true, evidence: `${evidence}; ${flow.evidence}: no span is arriving`, hint: NO_SPANS_ARRIVING };
      }
      if (!calls.size) {
        const d = await diagnoseNoSeries(ctx);
        return { ok: false, final: d.final, evidence: `${evidence} (${d.cause})`, hint: d.hint };
      }
      return { ok: false, evidence: `${evidence}; missing ${missing.join(', ')}`, hint: CAUSE.noSpanMetrics };
    },
  },
  {
    id: 'exemplars',
    needs: [NEEDS_CLUSTER('prometheus'), { check: 'prometheus/prometheus-ready' }, { check: 'metrics-generator/series' }],
    title: { en: 'latency buckets carry exemplars with a traceID', 'zh-TW': '延遲區間帶有含 traceID 的 exemplar' },
    async probe(ctx) {
      const w = windowAfter(ctx, EXEMPLAR_WINDOW_S);
      if ('waitS' in w) return notYet(w);
      const all = await exemplarsNow(ctx, w.s);
      const count = (m: { series: ExemplarSeries[] }) => m.series.reduce((n, s) => n + s.exemplars.filter((e) => e.labels.traceID).length, 0);
      const per = all.map((m) => `${m.metric.replace(/^traces_/, '')} ${count(m)}`).join(', ');
      const total = all.reduce((n, m) => n + count(m), 0);
      const evidence = `${total} exemplars with label traceID in the last ${w.s === EXEMPLAR_WINDOW_S ? `${EXEMPLAR_WINDOW_S / 60} min` : `${w.s} s`} (${per})`;
      if (total > 0) return { ok: true, evidence };
      const other = all.flatMap((m) => m.series.flatMap((s) => s.exemplars.flatMap((e) => Object.keys(e.labels)))).filter((l) => l !== 'traceID');
      if (other.length) return { ok: false, evidence: `${evidence}; exemplars carry ${[...new Set(other)].join(', ')} instead`, hint: CAUSE.sendExemplarsOff };
      const buckets = await promQuery(ctx, `count({__name__=~"${BUCKETS.join('|')}"})`);
      if (!buckets.length) {
        const d = await diagnoseNoSeries(ctx);
        return { ok: false, final: d.final, evidence: `${evidence}; no bucket series either (${d.cause})`, hint: d.hint };
      }
      const flags = await promFlags(ctx);
      if (flags && !exemplarStorageOn(flags)) return { ok: false, final: true, evidence: `${evidence}; series are there, enable-feature=${flags['enable-feature'] || '(none)'}`, hint: CAUSE.exemplarStorageOff };
      const { config } = await readTempoConfig(ctx).catch(() => ({ config: undefined }));
      const targets = config?.metrics_generator?.storage?.remote_write ?? [];
      if (config && targets.length && !targets.some((t) => t.send_exemplars)) return { ok: false, final: true, evidence: `${evidence}; send_exemplars is off`, hint: CAUSE.sendExemplarsOff };
      // "the switches look right" only when both were read
      const unread = [flags ? '' : 'Prometheus\' flags', config ? '' : 'Tempo\'s configuration'].filter(Boolean);
      if (unread.length) return { ok: false, evidence: `${evidence}; could not read ${unread.join(' or ')}`, hint: fill(CAUSE.switchesUnread, { what: unread.join(' / ') }) };
      return { ok: false, evidence: `${evidence}; exemplar-storage on, send_exemplars on`, hint: CAUSE.noExemplarsYet };
    },
  },
  {
    id: 'exemplar-to-trace',
    // it follows what the exemplars check found: without exemplars there is nothing to follow
    needs: [NEEDS_CLUSTER('prometheus'), { check: 'prometheus/prometheus-ready' }, { check: 'tempo/ready' }, { check: 'metrics-generator/exemplars' }],
    title: { en: 'an exemplar\'s traceID opens its trace in Tempo', 'zh-TW': 'exemplar 的 traceID 能在 Tempo 中開啟對應追蹤' },
    async probe(ctx) {
      const w = windowAfter(ctx, EXEMPLAR_WINDOW_S);
      if ('waitS' in w) return notYet(w);
      const all = await exemplarsNow(ctx, w.s);
      const found = all
        .flatMap((m) => m.series.flatMap((s) => s.exemplars.map((e) => ({ series: s.seriesLabels, id: e.labels.traceID, t: e.timestamp }))))
        .filter((e): e is { series: Record<string, string>; id: string; t: number } => !!e.id)
        .sort((a, b) => b.t - a.t);
      const ids = [...new Map(found.map((e) => [padTraceId(e.id), e])).values()].slice(0, MAX_EXEMPLARS_FOLLOWED);
      if (!ids.length) return { ok: false, evidence: 'no exemplar with a traceID to follow', hint: CAUSE.noExemplarToFollow };
      const tried: string[] = [];
      for (const e of ids) {
        const id = padTraceId(e.id);
        const got = await fetchTrace(ctx, id);
        if (got.kind !== 'ok' || !got.spans.length) {
          tried.push(`${e.id.slice(0, 8)}… ${got.kind === 'http' ? got.status : got.kind === 'unparsable' ? got.message : 'another trace'}`);
          continue;
        }
        const spans = got.spans;
        const s = e.series;
        const where = s.client ? `${s.client} → ${s.server}` : `${s.service}/${s.span_name}`;
        return {
          ok: true,
          evidence: `exemplar traceID ${e.id} on ${s.__name__}{${where}, le=${s.le}} → Tempo: ${spans.length} spans (${[...new Set(spans.map((x) => x.service))].join(', ')})${grafanaNote(ctx.lab, id)}`,
        };
      }
      const shown = tried.length > 5 ? [...tried.slice(0, 5), `… ${tried.length - 5} more`] : tried;
      return { ok: false, evidence: `none of ${ids.length} exemplar trace ids opened in Tempo: ${shown.join('; ')}`, hint: CAUSE.unresolved };
    },
  },
];

/** The checks that read a window of what Prometheus holds: a Prometheus restarted empty is named by them while it fills. */
const WINDOWED = new Set(['series', 'service-graph-edges', 'failed-requests', 'span-metrics', 'exemplars']);
export const checks: Check[] = checkList.map((c) => (WINDOWED.has(c.id) ? { ...c, probe: afterPromRestart(c.probe) } : c));

export const chapter: ChapterSpec = {
  // the generator remote-writes into Prometheus: both must be there
  after: ['traces', 'prometheus'],
  checksTypicalMs: 40_000,
  title: { en: 'Metrics generator: service graphs, span metrics, exemplars', 'zh-TW': 'Metrics generator：服務圖、span 指標與 exemplar' },
  steps: [],
  checks,
};
