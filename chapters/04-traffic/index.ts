import type { ChapterSpec, Check, Lab, Outcome, Step } from '../../scripts/core/model.js';
import { NEEDS_CLUSTER } from '../../scripts/core/model.js';
import { kubectl } from '../../scripts/lab/tools.js';
import { podsReady } from '../../scripts/lab/check-kinds.js';
import { tempoGeneration } from '../../scripts/core/engine.js';
import { INGESTERS, notADistributor, readRing, readTempoConfig, ringVerdict, servesDistributor, tempoGet } from '../../scripts/lab/tempo.js';
import { counterBy, counterValue } from '../../scripts/lab/prometheus.js';
import type { Text } from '../../scripts/core/text.js';

export const MANIFEST = 'manifests/xk6-client-tracing.yaml';
/** The generator's manifest of the lab's profile (v0.0.10 on `current`, with the stable HTTP names). */
export const manifestOf = (lab: Lab): string => lab.profile.manifests?.['xk6-client-tracing'] ?? MANIFEST;
export const SPANS_RECEIVED = 'tempo_distributor_spans_received_total';

export const steps: Step[] = [
  {
    id: 'apply',
    title: { en: 'Start the trace generator', 'zh-TW': '啟動追蹤產生器' },
    why: {
      en: 'A Deployment running xk6-client-tracing, which sends the shop\'s three trace templates to tempo-distributor.tracing:4317 (OTLP gRPC). apply is safe to repeat.',
      'zh-TW': '一個執行 xk6-client-tracing 的 Deployment，把商店的三種追蹤模板送到 tempo-distributor.tracing:4317（OTLP gRPC）。apply 可重複執行。',
    },
    manifestsFor: (lab) => [manifestOf(lab)],
    needsCluster: true,
    fast: 'images',
    typicalMs: 5_000,
    command: (lab) => ({ argv: kubectl(lab, 'apply', '--namespace', lab.namespaces.tracing, '--filename', manifestOf(lab)), timeoutMs: 120_000 }),
  },
];

export const NO_SPANS_HINT: Text = {
  en: 'The distributor receives no spans. Is the xk6-tracing pod running (`kubectl -n tracing logs deploy/xk6-tracing`)? Its ENDPOINT must be tempo-distributor.tracing:4317 and the OTLP gRPC receiver enabled (traces.otlp.grpc.enabled).',
  'zh-TW': 'distributor 沒有收到任何 span。xk6-tracing pod 是否在執行（`kubectl -n tracing logs deploy/xk6-tracing`）？它的 ENDPOINT 必須是 tempo-distributor.tracing:4317，並開啟 OTLP gRPC 接收（traces.otlp.grpc.enabled）。',
};

/** Spans the distributor received but could not write (reason label: internal_error when ingesters refuse). */
export const SPANS_DISCARDED = 'tempo_discarded_spans_total';

export const DISCARDED_HINT: Text = {
  en: 'The distributor receives spans but discards them: `kubectl -n tracing logs deploy/tempo-distributor` names the reason (rate limits, or ingesters that refuse writes).',
  'zh-TW': 'distributor 有收到 span 卻把它們丟棄了：`kubectl -n tracing logs deploy/tempo-distributor` 會說明原因（速率限制，或 ingester 拒絕寫入）。',
};

/** The distributor's failed pushes, per ingester address (grafana/tempo@v2.2.2 modules/distributor/distributor.go). */
export const APPEND_FAILURES = 'tempo_distributor_ingester_append_failures_total';

/** How long the growth check waits between its two readings. */
export const GROWTH_WINDOW_MS = 2000;
/** and, when it stood still, how much longer it is watched before "no traffic" is the verdict */
export const STILL_FLAT_MS = 8000;

/**
 * Tempo 3's write path (grafana/tempo@v3.0.3): the distributor writes each push to a Kafka partition
 * (modules/distributor/distributor.go `tempo_distributor_kafka_write_bytes_total` by partition; its Kafka client's
 * `tempo_distributor_connect_errors_total`, pkg/ingest/writer_client.go with franz-go's kprom), and the metrics
 * generator reads every partition (`tempo_ingest_storage_reader_fetch_records_total{component="generator"}`,
 * pkg/ingest/reader_client.go), setting, as it reads each record, how old it was
 * (`tempo_ingest_group_partition_lag_seconds{group="metrics-generator"}`, pkg/ingest/metrics.go SetPartitionLagSeconds).
 */
export const KAFKA_WRITTEN = 'tempo_distributor_kafka_write_bytes_total';
export const KAFKA_CONNECT_ERRORS = 'tempo_distributor_connect_errors_total';
export const GENERATOR_FETCHED = 'tempo_ingest_storage_reader_fetch_records_total';
export const LAG_SECONDS = 'tempo_ingest_group_partition_lag_seconds';
/** A consumer further behind than this is not keeping up (the live-store answers searches of the last minutes). */
export const LAG_OK_S = 30;

export const KAFKA_DOWN: Text = {
  en: 'The distributor receives spans but writes none to Kafka: the broker is down or unreachable, and in Tempo 3 nothing is kept without it (no ingester holds the spans). Embedded lab: `workbook lab start kafka`; kind: `kubectl -n kafka get pods`, and ingest.kafka.address in the values must name it.',
  'zh-TW': 'distributor 有收到 span，卻沒有寫入 Kafka：broker 停了或連不到；在 Tempo 3 中沒有 Kafka 就什麼都留不下（沒有 ingester 保存 span）。內建實驗環境：`workbook lab start kafka`；kind：`kubectl -n kafka get pods`，且 values 的 ingest.kafka.address 必須指向它。',
};
export const CONSUMER_STOPPED: Text = {
  en: 'Kafka takes the writes but the metrics generator reads none of them: is it running and in its partition ring? Its log says why (embedded lab: `workbook lab status`; kind: `kubectl -n tracing logs deploy/tempo-metrics-generator`). Until it reads, no traces_* series are made (chapter 6).',
  'zh-TW': 'Kafka 有收下寫入，但 metrics generator 一筆也沒讀：它在執行、也在它的分割區 ring 中嗎？它的日誌會說明原因（內建實驗環境：`workbook lab status`；kind：`kubectl -n tracing logs deploy/tempo-metrics-generator`）。在它讀取之前，不會產生任何 traces_* 序列（第 6 章）。',
};
export const CONSUMER_LAGGING: Text = {
  en: 'The metrics generator reads Kafka, but far behind the writes: it is short of CPU or catching up after a restart. Series and service graphs come that much later; give it a minute, or more resources.',
  'zh-TW': 'metrics generator 有在讀 Kafka，但遠遠落後於寫入：它的 CPU 不夠，或是重新啟動後正在追趕。序列與服務圖也會晚這麼久才出現；給它一分鐘，或更多資源。',
};

export const checks: Check[] = [
  podsReady({
    id: 'generator-running',
    needs: [NEEDS_CLUSTER()],
    title: { en: 'the xk6-tracing pod is running', 'zh-TW': 'xk6-tracing pod 正在執行' },
    clusterOnly: ['tempo', 'distributor'],
    namespace: (lab) => lab.namespaces.tracing,
    selector: 'app=xk6-tracing',
    noun: 'xk6-tracing',
    hint: {
      en: 'The generator pod is not ready: pulling ghcr.io/grafana/xk6-client-tracing can take a while on a slow network. `kubectl -n tracing describe pod -l app=xk6-tracing` shows the events.',
      'zh-TW': '產生器 pod 尚未就緒：網路慢時拉取 ghcr.io/grafana/xk6-client-tracing 可能要一段時間。`kubectl -n tracing describe pod -l app=xk6-tracing` 會顯示事件。',
    },
  }),
  {
    id: 'spans-received',
    needs: [NEEDS_CLUSTER('tempo', 'distributor'), { check: 'tempo/ready' }],
    title: { en: 'the distributor is receiving spans and Tempo keeps them', 'zh-TW': 'distributor 正在接收 span，且 Tempo 有保存' },
    async probe(ctx) {
      const read = async () => {
        const r = await tempoGet(ctx, '/metrics', 'distributor');
        if (r.status !== 200) throw new Error(`GET /metrics on the distributor → ${r.status}`);
        return {
          received: counterValue(r.body, SPANS_RECEIVED),
          discarded: counterBy(r.body, SPANS_DISCARDED, 'reason'),
          appendFailures: counterBy(r.body, APPEND_FAILURES, 'ingester'),
          // Tempo 3 keeps a span only once it is in Kafka (no ingester holds it): received is not kept
          kafka: counterValue(r.body, KAFKA_WRITTEN),
        };
      };
      const first = await read();
      await ctx.clock.sleep(GROWTH_WINDOW_MS);
      let second = await read();
      const tempo3 = tempoGeneration(ctx.lab) === 3;
      const unwritten = (a: typeof first, b: typeof first) => tempo3 && (b.received ?? 0) > (a.received ?? 0) && (b.kafka ?? 0) <= (a.kafka ?? 0);
      // one Tempo 3 process pushes to its own live-store, without Kafka (grafana/tempo@v3.0.3 cmd/tempo/app/modules.go
      // configureGenerator: ConsumeFromKafka only when not a single binary): its target says which
      const throughKafka = async () => ((await readTempoConfig(ctx, 'distributor').catch(() => ({ config: undefined }))).config?.target ?? '') !== 'all';
      const notKept = (a: typeof first, b: typeof first): Outcome => ({ ok: false, final: true, evidence: `${SPANS_RECEIVED} ${a.received} → ${b.received} in ${(GROWTH_WINDOW_MS + STILL_FLAT_MS) / 1000} s, but ${KAFKA_WRITTEN} ${a.kafka ?? '(absent)'} → ${b.kafka ?? '(absent)'}: received, not kept (Tempo 3 keeps what Kafka takes)`, hint: KAFKA_DOWN });
      if (unwritten(first, second) && (await throughKafka())) {
        // a write may land just after the reading: watched longer before the broker is blamed
        await ctx.clock.sleep(STILL_FLAT_MS);
        second = await read();
        if (unwritten(first, second)) return notKept(first, second);
      }
      const grew = first.received !== undefined && second.received !== undefined ? second.received - first.received : 0;
      const rise = (a: Map<string, number>, b: Map<string, number>) => [...b].map(([k, v]) => [k, v - (a.get(k) ?? 0)] as const).filter(([, d]) => d > 0);
      const lostBy = rise(first.discarded, second.discarded);
      const failingIngesters = rise(first.appendFailures, second.appendFailures);
      const evidence = `${SPANS_RECEIVED} ${first.received ?? '(absent)'} → ${second.received ?? '(absent)'} in ${GROWTH_WINDOW_MS / 1000} s`;
      if (lostBy.length) {
        // received but refused: the write path is broken (most often the ingester ring lost its quorum)
        const { ring } = await readRing(ctx).catch(() => ({ ring: undefined }));
        const v = ring ? ringVerdict(ring, INGESTERS) : undefined;
        const why = ring && ring.active.length < ring.quorum ? 'quorum lost' : 'see the distributor\'s log';
        const reasons = lostBy.map(([k, d]) => `${k} +${d}`).join(', ');
        const appends = failingIngesters.length ? `; appends failing to ${failingIngesters.map(([k, d]) => `${k} (+${d})`).join(', ')} (${APPEND_FAILURES})` : '';
        return {
          ok: false,
          // what the distributor counts is conclusive for now: the learner fixes the ingesters, then verifies again
          final: true,
          evidence: `${evidence}, but ${lostBy.reduce((n, [, d]) => n + d, 0)} discarded (${SPANS_DISCARDED} by reason: ${reasons}): writes fail, ${why}${appends}${v ? `; ring: ${v.evidence}` : ''}`,
          hint: v && !v.ok ? v.hint : DISCARDED_HINT,
        };
      }
      if (grew > 0) return { ok: true, evidence: `${evidence} (+${grew}), none discarded` };
      // no such counter at all: the page is another component's (a query-frontend given as the distributor)
      if (second.received === undefined) {
        const { config } = await readTempoConfig(ctx, 'distributor').catch(() => ({ config: undefined }));
        if (config && !servesDistributor(config.target)) throw await notADistributor(ctx, `${SPANS_RECEIVED} is not on its /metrics`, config);
      }
      // flat for two seconds may be a pause between traces; flat for ten more is no traffic: said now, not after
      // the timeout
      await ctx.clock.sleep(STILL_FLAT_MS);
      const third = await read();
      // spans that came in the longer watch are judged as those of the first: kept only where Kafka took them
      if (third.received !== undefined && second.received !== undefined && third.received > second.received && unwritten(first, third) && (await throughKafka())) return notKept(first, third);
      if (third.received !== undefined && second.received !== undefined && third.received > second.received) return { ok: true, evidence: `${SPANS_RECEIVED} ${first.received ?? '(absent)'} → ${third.received} in ${(GROWTH_WINDOW_MS + STILL_FLAT_MS) / 1000} s (+${third.received - (first.received ?? 0)}), none discarded` };
      return { ok: false, final: second.received !== undefined, evidence: `${SPANS_RECEIVED} ${first.received ?? '(absent)'} → ${third.received ?? '(absent)'} in ${(GROWTH_WINDOW_MS + STILL_FLAT_MS) / 1000} s: no span reached Tempo`, hint: NO_SPANS_HINT };
    },
  },
  {
    id: 'kafka-flow',
    tempo: 3,
    microservicesOnly: true,
    needs: [NEEDS_CLUSTER('tempo', 'distributor'), { check: 'tempo/ready' }],
    title: { en: 'Kafka takes the distributor\'s writes now, and the metrics generator reads them with a small lag', 'zh-TW': 'Kafka 此刻收下 distributor 的寫入，metrics generator 也以很小的延遲讀取它們' },
    async probe(ctx): Promise<Outcome> {
      const read = async () => {
        const d = await tempoGet(ctx, '/metrics', 'distributor');
        if (d.status !== 200) throw new Error(`GET /metrics on the distributor → ${d.status}`);
        const g = await ctx.http.request(`${await ctx.endpoint('generator')}/metrics`, { timeoutMs: 10_000 });
        if (g.status !== 200) throw new Error(`GET /metrics on the metrics generator → ${g.status}`);
        return {
          spans: counterValue(d.body, SPANS_RECEIVED) ?? 0,
          written: counterBy(d.body, KAFKA_WRITTEN, 'partition'),
          connectErrors: counterValue(d.body, KAFKA_CONNECT_ERRORS) ?? 0,
          fetched: counterValue(g.body, GENERATOR_FETCHED, 'component="generator"') ?? 0,
          lag: counterBy(g.body, LAG_SECONDS, 'partition'),
        };
      };
      const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      const first = await read();
      await ctx.clock.sleep(GROWTH_WINDOW_MS);
      let last = await read();
      let windowS = GROWTH_WINDOW_MS / 1000;
      // a pause between traces is no verdict: watched a little longer before anything is said
      if (sum(last.written) === sum(first.written) || last.fetched === first.fetched) {
        await ctx.clock.sleep(STILL_FLAT_MS);
        last = await read();
        windowS += STILL_FLAT_MS / 1000;
      }
      const wrote = sum(last.written) - sum(first.written);
      const perPartition = [...last.written].map(([p, v]) => `${p} +${v - (first.written.get(p) ?? 0)}`).join(', ');
      const spans = last.spans - first.spans;
      const connectErrors = last.connectErrors - first.connectErrors;
      const fetched = last.fetched - first.fetched;
      const lags = [...last.lag].sort(([a], [b]) => Number(a) - Number(b));
      const lagText = lags.map(([p, s]) => `partition ${p} ${s < 1 ? s.toFixed(2) : Math.round(s)} s`).join(', ') || 'none reported';
      const writes = `in ${windowS} s: ${spans} spans received, ${wrote} bytes written to Kafka${perPartition ? ` (${perPartition})` : ''}`;
      if (wrote <= 0) {
        if (spans <= 0) return { ok: false, evidence: `${writes}: no traffic reached the distributor`, hint: NO_SPANS_HINT };
        // received now and written nowhere: the broker, said at once (Tempo 3 keeps nothing it could not write)
        return { ok: false, final: true, evidence: `${writes}${connectErrors > 0 ? `; ${connectErrors} failed connections to Kafka (${KAFKA_CONNECT_ERRORS})` : ''}: Kafka takes no writes`, hint: KAFKA_DOWN };
      }
      const reads = `the metrics generator read ${fetched} records; its lag as it read them: ${lagText}`;
      if (fetched <= 0) return { ok: false, evidence: `${writes}; ${reads}`, hint: CONSUMER_STOPPED };
      const behind = lags.filter(([, s]) => s > LAG_OK_S);
      if (behind.length) return { ok: false, evidence: `${writes}; ${reads} (more than ${LAG_OK_S} s behind)`, hint: CONSUMER_LAGGING };
      return { ok: true, evidence: `${writes}; ${reads}` };
    },
  },
];

export const chapter: ChapterSpec = {
  after: ['tempo'],
  checksTypicalMs: 40_000,
  title: { en: 'Trace traffic from xk6-client-tracing', 'zh-TW': '用 xk6-client-tracing 產生追蹤流量' },
  steps,
  checks,
};
