import type { ChapterSpec, Check, Step } from '../../scripts/core/model.js';
import { NEEDS_CLUSTER } from '../../scripts/core/model.js';
import { chartSteps } from '../../scripts/lab/helm.js';
import { grafanaHealth } from '../../scripts/lab/grafana.js';
import { httpReady, type Identity } from '../../scripts/lab/check-kinds.js';
import { promApi } from '../../scripts/lab/prometheus.js';
import type { Text } from '../../scripts/core/text.js';

export const VALUES = 'manifests/prometheus-stack.values.yaml';
export const RELEASE = 'prometheus-stack';

export const steps: Step[] = chartSteps({
  chart: 'kube-prometheus-stack',
  release: RELEASE,
  namespace: (lab) => lab.namespaces.prometheus,
  values: VALUES,
  versionWhy: { en: 'So the pinned chart version is known locally.', 'zh-TW': '讓本機知道鎖定的 chart 版本。' },
  install: {
    title: { en: 'Install kube-prometheus-stack', 'zh-TW': '安裝 kube-prometheus-stack' },
    why: {
      en: 'upgrade --install is safe to repeat; the values turn on the remote-write receiver and exemplar storage and fix the service names Tempo writes to; --wait returns when the pods are ready.',
      'zh-TW': 'upgrade --install 可重複執行；values 開啟 remote write 接收與 exemplar 儲存，並固定 Tempo 寫入時使用的服務名稱；--wait 會等 pod 就緒才返回。',
    },
  },
});

interface Flags {
  [flag: string]: string;
}

export const NO_RECEIVER_HINT: Text = {
  en: 'Prometheus does not accept remote write, so Tempo\'s metrics generator has nowhere to send service graphs and span metrics. Set prometheus.prometheusSpec.enableRemoteWriteReceiver: true (manifests/prometheus-stack.values.yaml) and run `workbook run prometheus` again.',
  'zh-TW': 'Prometheus 沒有開啟 remote write 接收，Tempo 的 metrics generator 無處寫入服務圖與 span 指標。請在 manifests/prometheus-stack.values.yaml 設定 prometheus.prometheusSpec.enableRemoteWriteReceiver: true，再執行一次 `workbook run prometheus`。',
};

export const NO_EXEMPLARS_HINT: Text = {
  en: 'Without exemplar storage, Prometheus drops the exemplars Tempo remote-writes: you will see the metrics but no trace links on them. Add exemplar-storage to prometheus.prometheusSpec.enableFeatures and run `workbook run prometheus` again.',
  'zh-TW': '沒有開啟 exemplar 儲存時，Prometheus 會丟棄 Tempo 遠端寫入的 exemplar：你只看得到指標，看不到連到追蹤的連結。請在 prometheus.prometheusSpec.enableFeatures 加入 exemplar-storage，再執行一次 `workbook run prometheus`。',
};

const UNREACHABLE_HINT: Text = {
  en: 'Prometheus did not answer. Is the chart installed and its pod Running (`kubectl -n prometheus get pods`)? With --prometheus-url, check the URL.',
  'zh-TW': 'Prometheus 沒有回應。chart 是否已安裝、pod 是否為 Running（`kubectl -n prometheus get pods`）？若使用 --prometheus-url，請確認網址。',
};

/**
 * Prometheus says who it is at /api/v1/status/buildinfo: {"status":"success","data":{"version":…}} (shared/reference
 * captures prom__api_v1_status_buildinfo.json; the real 2.42 answers the same).
 */
export const PROMETHEUS_IDENTITY: Identity = {
  name: 'Prometheus',
  path: '/api/v1/status/buildinfo',
  read(res) {
    try {
      const j = JSON.parse(res.body) as { status?: string; data?: { version?: unknown } };
      return res.status === 200 && j.status === 'success' && typeof j.data?.version === 'string' ? j.data.version : undefined;
    } catch {
      return undefined;
    }
  },
};

export function receiverOn(flags: Flags): boolean {
  const features = (flags['enable-feature'] ?? '').split(',').map((f) => f.trim());
  return flags['web.enable-remote-write-receiver'] === 'true' || features.includes('remote-write-receiver');
}

export function exemplarStorageOn(flags: Flags): boolean {
  return (flags['enable-feature'] ?? '').split(',').map((f) => f.trim()).includes('exemplar-storage');
}

export const checks: Check[] = [
  httpReady({
    id: 'prometheus-ready',
    needs: [NEEDS_CLUSTER('prometheus')],
    title: { en: 'Prometheus is ready', 'zh-TW': 'Prometheus 已就緒' },
    endpoint: 'prometheus',
    path: '/-/ready',
    hint: UNREACHABLE_HINT,
    is: PROMETHEUS_IDENTITY,
  }),
  {
    id: 'remote-write-receiver',
    needs: [{ check: 'prometheus/prometheus-ready' }],
    title: { en: 'remote-write receiver is on', 'zh-TW': '已開啟 remote write 接收' },
    async probe(ctx) {
      const flags = await promApi<Flags>(ctx, '/api/v1/status/flags');
      const shown = `web.enable-remote-write-receiver=${flags['web.enable-remote-write-receiver'] ?? '(unset)'}`;
      if (receiverOn(flags)) return { ok: true, evidence: shown };
      return { ok: false, final: true, evidence: shown, hint: NO_RECEIVER_HINT };
    },
  },
  {
    id: 'exemplar-storage',
    needs: [{ check: 'prometheus/prometheus-ready' }],
    title: { en: 'exemplar storage is on', 'zh-TW': '已開啟 exemplar 儲存' },
    async probe(ctx) {
      const flags = await promApi<Flags>(ctx, '/api/v1/status/flags');
      const shown = `enable-feature=${flags['enable-feature'] || '(none)'}`;
      if (exemplarStorageOn(flags)) return { ok: true, evidence: shown };
      return { ok: false, final: true, evidence: shown, hint: NO_EXEMPLARS_HINT };
    },
  },
  { ...grafanaHealth('grafana-health'), needs: [NEEDS_CLUSTER('grafana')] },
];

export const chapter: ChapterSpec = {
  // needs the cluster; runs alongside Tempo under --fast
  after: ['cluster'],
  title: { en: 'kube-prometheus-stack with exemplars and remote write', 'zh-TW': 'kube-prometheus-stack：開啟 exemplar 與 remote write' },
  steps,
  checks,
};
