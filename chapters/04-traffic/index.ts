import type { ChapterSpec, Check, Step } from '../../scripts/core/model.js';
import { NEEDS_CLUSTER } from '../../scripts/core/model.js';
import { kubectl } from '../../scripts/lab/tools.js';
import { podsReady } from '../../scripts/lab/check-kinds.js';
import { INGESTERS, notADistributor, readRing, readTempoConfig, ringVerdict, servesDistributor, tempoGet } from '../../scripts/lab/tempo.js';
import { counterBy, counterValue } from '../../scripts/lab/prometheus.js';
import type { Text } from '../../scripts/core/text.js';

export const MANIFEST = 'manifests/xk6-client-tracing.yaml';
export const SPANS_RECEIVED = 'tempo_distributor_spans_received_total';

export const steps: Step[] = [
  {
    id: 'apply',
    title: { en: 'Start the trace generator', 'zh-TW': '啟動追蹤產生器' },
    why: {
      en: 'A Deployment running xk6-client-tracing, which sends the shop\'s three trace templates to tempo-distributor.tracing:4317 (OTLP gRPC). apply is safe to repeat.',
      'zh-TW': '一個執行 xk6-client-tracing 的 Deployment，把商店的三種追蹤模板送到 tempo-distributor.tracing:4317（OTLP gRPC）。apply 可重複執行。',
    },
    manifests: [MANIFEST],
    needsCluster: true,
    fast: 'images',
    typicalMs: 5_000,
    command: (lab) => ({ argv: kubectl(lab, 'apply', '--namespace', lab.namespaces.tracing, '--filename', MANIFEST), timeoutMs: 120_000 }),
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
        };
      };
      const first = await read();
      await ctx.clock.sleep(GROWTH_WINDOW_MS);
      const second = await read();
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
      if (third.received !== undefined && second.received !== undefined && third.received > second.received) return { ok: true, evidence: `${SPANS_RECEIVED} ${first.received ?? '(absent)'} → ${third.received} in ${(GROWTH_WINDOW_MS + STILL_FLAT_MS) / 1000} s (+${third.received - (first.received ?? 0)}), none discarded` };
      return { ok: false, final: second.received !== undefined, evidence: `${SPANS_RECEIVED} ${first.received ?? '(absent)'} → ${third.received ?? '(absent)'} in ${(GROWTH_WINDOW_MS + STILL_FLAT_MS) / 1000} s: no span reached Tempo`, hint: NO_SPANS_HINT };
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
