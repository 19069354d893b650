import type { ChapterSpec, LabContext, Check, Outcome } from '../../scripts/core/model.js';
import { NEEDS_CLUSTER } from '../../scripts/core/model.js';
import { describeCredentials, exploreServiceGraphLink, grafanaCredentials, grafanaHealth, grafanaRequest, GRAFANA_NOT_READY, GRAFANA_SECRET, type DataSource } from '../../scripts/lab/grafana.js';
import { exploreTraceLink, padTraceId, searchPath } from '../../scripts/lab/tempo.js';
import { fill, type Text } from '../../scripts/core/text.js';
import { dataSourceCheck, type DataSourceHints } from '../../scripts/lab/check-kinds.js';

export const TEMPO_UID = 'tempo';
export const PROMETHEUS_UID = 'prometheus';
const TRACEQL = '{resource.service.name="shop-backend"}';

export const HINTS = {
  unauthorized: {
    en: 'Grafana refused the credentials (401). The admin password is in the secret prometheus/{secret} (`kubectl -n prometheus get secret {secret} -o jsonpath="{.data.admin-password}" | base64 -d`); with --grafana-url, set WORKBOOK_GRAFANA_USER and WORKBOOK_GRAFANA_PASSWORD.',
    'zh-TW': 'Grafana 拒絕了帳密（401）。管理員密碼存放在 secret prometheus/{secret}（`kubectl -n prometheus get secret {secret} -o jsonpath="{.data.admin-password}" | base64 -d`）；使用 --grafana-url 時，請設定 WORKBOOK_GRAFANA_USER 與 WORKBOOK_GRAFANA_PASSWORD。',
  },
  notReady: GRAFANA_NOT_READY,
  missing: {
    en: 'No data source with uid "{uid}". Chapter 2\'s values provision it (grafana.additionalDataSources / grafana.sidecar.datasources): run `workbook run prometheus` again. By hand: Connections → Data sources → Add → {type}, and set its uid in the provisioning file.',
    'zh-TW': '找不到 uid 為 "{uid}" 的資料來源。第 2 章的 values 會預先配置它（grafana.additionalDataSources / grafana.sidecar.datasources）：請再執行一次 `workbook run prometheus`。手動方式：Connections → Data sources → Add → {type}，並在配置檔中設定 uid。',
  },
  settings: {
    en: 'The data source "{uid}" exists with other settings ({diff}). Fix them in manifests/prometheus-stack.values.yaml and run `workbook run prometheus`; a data source provisioned from a file is read-only in the UI.',
    'zh-TW': '資料來源 "{uid}" 已存在但設定不同（{diff}）。請在 manifests/prometheus-stack.values.yaml 修正後執行 `workbook run prometheus`；由檔案配置的資料來源在介面上是唯讀的。',
  },
  dsHealth: {
    en: 'Grafana cannot reach Tempo through the data source\'s URL (http://tempo-query-frontend.tracing:3100): is the query-frontend up (chapter 3, `kubectl -n tracing get pods`)?',
    'zh-TW': 'Grafana 無法經由資料來源的網址（http://tempo-query-frontend.tracing:3100）連到 Tempo：query-frontend 是否正常（第 3 章，`kubectl -n tracing get pods`）？',
  },
  dsHealthPrometheus: {
    en: 'Grafana\'s health check of the Prometheus data source fails: is Prometheus up (chapter 2, `kubectl -n prometheus get pods`)?',
    'zh-TW': 'Grafana 對 Prometheus 資料來源的健康檢查失敗：Prometheus 是否正常（第 2 章，`kubectl -n prometheus get pods`）？',
  },
  query: {
    en: 'Grafana could not fetch traces through the Tempo data source: check its URL, and that traffic flows (chapter 4).',
    'zh-TW': 'Grafana 無法透過 Tempo 資料來源取得追蹤：請確認其網址，以及流量是否正常（第 4 章）。',
  },
} satisfies Record<string, Text>;

function unauthorized(r: { status: number }): Outcome | undefined {
  if (r.status === 401 || r.status === 403) return { ok: false, final: true, evidence: `HTTP ${r.status}: Grafana refused the credentials`, hint: fill(HINTS.unauthorized, { secret: GRAFANA_SECRET }) };
  return undefined;
}

const DS_HINTS: DataSourceHints = {
  unauthorized: (status) => unauthorized({ status })!,
  missing: HINTS.missing,
  settings: HINTS.settings,
  notReady: HINTS.notReady,
};

/** The settings the lab needs on the Tempo data source; each mismatch as "key: got ≠ want". */
export function tempoDiff(ds: DataSource): string[] {
  const diff: string[] = [];
  const j = (ds.jsonData ?? {}) as { serviceMap?: { datasourceUid?: string }; nodeGraph?: { enabled?: boolean } };
  if (ds.type !== 'tempo') diff.push(`type: ${ds.type} ≠ tempo`);
  if (!/tempo-(query-frontend|gateway)\b/.test(ds.url ?? '')) diff.push(`url: ${ds.url || '(empty)'} ≠ the query-frontend or gateway`);
  if (j.serviceMap?.datasourceUid !== PROMETHEUS_UID) diff.push(`jsonData.serviceMap.datasourceUid: ${j.serviceMap?.datasourceUid ?? '(unset)'} ≠ ${PROMETHEUS_UID}`);
  if (j.nodeGraph?.enabled !== true) diff.push(`jsonData.nodeGraph.enabled: ${j.nodeGraph?.enabled ?? '(unset)'} ≠ true`);
  return diff;
}

export function exemplarDiff(ds: DataSource): string[] {
  const links = ((ds.jsonData ?? {}) as { exemplarTraceIdDestinations?: { name?: string; datasourceUid?: string; url?: string }[] }).exemplarTraceIdDestinations ?? [];
  if (links.some((l) => l.name === 'traceID' && l.datasourceUid === TEMPO_UID)) return [];
  if (!links.length) return ['jsonData.exemplarTraceIdDestinations: (none) ≠ [{name: traceID, datasourceUid: tempo}]'];
  return links.map((l) => `exemplar link ${l.name ?? '?'} → ${l.datasourceUid ?? l.url ?? '?'} ≠ traceID → ${TEMPO_UID}`);
}

/**
 * A trace by id through the data source's backend. Grafana 10.x's Tempo backend serves queryType "traceId" only;
 * any other type fails the whole request (HTTP 500 "Query data error"). Explore's TraceQL tab rewrites a typed
 * trace id to "traceId" in the browser, which is why links with queryType "traceql" still open.
 */
async function traceById(ctx: LabContext, id: string): Promise<{ rows: number } | { error: string }> {
  const now = ctx.clock.now();
  const body = { queries: [{ refId: 'A', datasource: { type: 'tempo', uid: TEMPO_UID }, queryType: 'traceId', query: id }], from: String(now - 3_600_000), to: String(now) };
  type Answer = { message?: string; results?: { A?: { status?: number; error?: string; frames?: Frame[] } } };
  const q = await grafanaRequest(ctx, '/api/ds/query', { method: 'POST', body });
  const answer = q.json as Answer | undefined;
  const a = answer?.results?.A;
  const rows = (a?.frames ?? []).reduce((n, f) => n + (f.data?.values?.[0]?.length ?? 0), 0);
  if (q.status !== 200 || a?.error || !rows) return { error: `HTTP ${q.status}${a?.error ? `: ${a.error}` : answer?.message ? `: ${answer.message}` : `, ${rows} spans`}` };
  return { rows };
}

interface Frame {
  schema?: { fields?: { name: string }[] };
  data?: { values?: unknown[][] };
}

export const checks: Check[] = [
  { ...grafanaHealth('health'), needs: [NEEDS_CLUSTER('grafana')] },
  {
    id: 'login',
    needs: [NEEDS_CLUSTER('grafana'), { check: 'grafana/health' }],
    title: { en: 'the admin credentials work', 'zh-TW': '管理員帳密可以登入' },
    async probe(ctx) {
      const creds = await grafanaCredentials(ctx);
      const r = await grafanaRequest(ctx, '/api/user');
      const denied = unauthorized(r);
      if (denied) return { ...denied, evidence: `${denied.evidence} as ${describeCredentials(ctx, creds)}` };
      if (r.status !== 200) return { ok: false, evidence: `GET /api/user → ${r.status}`, hint: HINTS.notReady };
      return { ok: true, evidence: `logged in as ${describeCredentials(ctx, creds)}` };
    },
  },
  dataSourceCheck({
    id: 'tempo-datasource',
    needs: [NEEDS_CLUSTER('grafana'), { check: 'grafana/health' }],
    title: { en: 'the Tempo data source: uid tempo, query-frontend URL, service map, node graph', 'zh-TW': 'Tempo 資料來源：uid tempo、query-frontend 網址、服務圖、節點圖' },
    uid: TEMPO_UID,
    type: 'Tempo',
    hints: DS_HINTS,
    diff: tempoDiff,
    ok: (ds) => `${ds.name} (${ds.type}) → ${ds.url}, service map → ${PROMETHEUS_UID}, node graph on`,
  }),
  dataSourceCheck({
    id: 'exemplar-link',
    needs: [NEEDS_CLUSTER('grafana'), { check: 'grafana/health' }],
    title: { en: 'Prometheus exemplars link traceID to Tempo', 'zh-TW': 'Prometheus 的 exemplar 以 traceID 連到 Tempo' },
    uid: PROMETHEUS_UID,
    type: 'Prometheus',
    hints: DS_HINTS,
    diff: exemplarDiff,
    ok: (ds) => `${ds.name}: exemplar label traceID → data source uid ${TEMPO_UID}`,
  }),
  {
    id: 'datasource-health',
    needs: [NEEDS_CLUSTER('grafana'), { check: 'grafana/health' }],
    title: { en: 'Grafana reaches both data sources', 'zh-TW': 'Grafana 連得到兩個資料來源' },
    async probe(ctx) {
      // Tempo: Grafana 10.1's Tempo data source has no backend health check (/health answers 404); its own
      // "Save & test" asks Tempo's /api/echo through the data-source proxy, and so does this check.
      const echo = await grafanaRequest(ctx, `/api/datasources/proxy/uid/${TEMPO_UID}/api/echo`);
      const denied = unauthorized(echo);
      if (denied) return denied;
      const tempoOk = echo.status === 200 && echo.body.trim() === 'echo';
      const parts = [`tempo: GET /api/echo through the proxy → ${echo.status} ${echo.body.trim().slice(0, 60)}`];
      // Prometheus: the backend health check (Grafana 10.0 and later)
      const r = await grafanaRequest(ctx, `/api/datasources/uid/${PROMETHEUS_UID}/health`);
      const denied2 = unauthorized(r);
      if (denied2) return denied2;
      const h = (r.json ?? {}) as { status?: string; message?: string };
      const promOk = r.status === 200 && h.status === 'OK';
      parts.push(`prometheus: ${h.status ?? r.status} ${h.message ?? ''}`.trim());
      if (tempoOk && promOk) return { ok: true, evidence: parts.join('; ') };
      return { ok: false, evidence: parts.join('; '), hint: tempoOk ? HINTS.dsHealthPrometheus : HINTS.dsHealth };
    },
  },
  {
    id: 'traceql-query',
    needs: [NEEDS_CLUSTER('grafana'), { check: 'grafana/health' }],
    title: { en: 'a TraceQL query through Grafana returns traces', 'zh-TW': '透過 Grafana 執行 TraceQL 查詢能取得追蹤' },
    async probe(ctx) {
      // Explore runs TraceQL searches through the data source proxy (Grafana 10.1)...
      const search = await grafanaRequest(ctx, `/api/datasources/proxy/uid/${TEMPO_UID}${searchPath(ctx, { q: TRACEQL })}`);
      const denied = unauthorized(search);
      if (denied) return denied;
      const traces = (search.json as { traces?: { traceID: string }[] } | undefined)?.traces;
      if (search.status !== 200 || !Array.isArray(traces)) return { ok: false, evidence: `TraceQL through Grafana → ${search.status} ${search.body.trim().slice(0, 80)}`, hint: HINTS.query };
      if (!traces.length) return { ok: false, evidence: `TraceQL ${TRACEQL} through Grafana: 0 traces`, hint: HINTS.query };
      // ...and opens a trace by id through /api/ds/query, the data source's backend (the newest may not be queryable yet)
      const tried: string[] = [];
      let opened: { id: string; rows: number } | undefined;
      for (const t of traces.slice(0, 5)) {
        const id = padTraceId(t.traceID);
        const got = await traceById(ctx, id);
        if ('rows' in got) {
          opened = { id, rows: got.rows };
          break;
        }
        tried.push(`${id.slice(0, 8)}… ${got.error}`);
      }
      if (!opened) return { ok: false, evidence: `TraceQL found ${traces.length} traces, none opened through /api/ds/query: ${tried.join('; ')}`, hint: HINTS.query };
      const { id, rows } = opened;
      const base = await ctx.endpoint('grafana');
      return {
        ok: true,
        evidence: `TraceQL ${TRACEQL}: ${traces.length} traces; trace ${id} through /api/ds/query: ${rows} spans`,
        details: `trace:         ${exploreTraceLink({ ...ctx.lab, urls: { ...ctx.lab.urls, grafana: base } }, id)}\nservice graph: ${exploreServiceGraphLink(base)}`,
      };
    },
  },
];

export const chapter: ChapterSpec = {
  after: ['traces', 'prometheus'],
  checksTypicalMs: 15_000,
  title: { en: 'Grafana: data sources and the exemplar link', 'zh-TW': 'Grafana：資料來源與 exemplar 連結' },
  steps: [],
  checks,
};
