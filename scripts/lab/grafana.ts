import type { LabContext } from '../core/model.js';
import { kubectl, runJson } from './tools.js';

export const GRAFANA_SECRET = 'prometheus-stack-grafana';
/** kube-prometheus-stack 51.2.0 values: grafana.adminPassword. */
export const CHART_DEFAULT = { user: 'admin', password: 'prom-operator' };

export interface GrafanaCredentials {
  user: string;
  password: string;
  /** where they came from, for evidence (never the password itself) */
  source: string;
}

const cache = new WeakMap<LabContext, GrafanaCredentials>();

/** Environment first, then the chart's secret in the lab, then the chart's default. */
export async function grafanaCredentials(ctx: LabContext): Promise<GrafanaCredentials> {
  const hit = cache.get(ctx);
  if (hit) return hit;
  let creds: GrafanaCredentials;
  const { user, password } = ctx.lab.grafanaAuth;
  if (password) {
    creds = { user: user ?? 'admin', password, source: 'WORKBOOK_GRAFANA_PASSWORD' };
  } else {
    const { json } = await runJson<{ data?: Record<string, string> }>(ctx, kubectl(ctx.lab, 'get', 'secret', GRAFANA_SECRET, '--namespace', ctx.lab.namespaces.prometheus, '--output=json'));
    const decode = (v?: string) => (v ? Buffer.from(v, 'base64').toString('utf8') : undefined);
    const u = decode(json?.data?.['admin-user']);
    const p = decode(json?.data?.['admin-password']);
    creds = p ? { user: user ?? u ?? 'admin', password: p, source: `secret ${ctx.lab.namespaces.prometheus}/${GRAFANA_SECRET}` } : { ...CHART_DEFAULT, source: "the chart's default" };
  }
  cache.set(ctx, creds);
  return creds;
}

export function describeCredentials(ctx: LabContext, c: GrafanaCredentials): string {
  return `${c.user} (password from ${c.source}${ctx.lab.showSecrets ? `: ${c.password}` : '; --show-secrets prints it'})`;
}

export interface GrafanaResponse {
  status: number;
  body: string;
  json?: unknown;
}

export async function grafanaRequest(ctx: LabContext, path: string, init: { method?: 'GET' | 'POST'; body?: unknown; auth?: boolean } = {}): Promise<GrafanaResponse> {
  const base = await ctx.endpoint('grafana');
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (init.auth !== false) {
    const c = await grafanaCredentials(ctx);
    headers.Authorization = `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}`;
  }
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await ctx.http.request(`${base}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), timeoutMs: 15_000 });
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  return { status: res.status, body: res.body, json };
}

export interface DataSource {
  uid: string;
  name: string;
  type: string;
  url: string;
  access?: string;
  isDefault?: boolean;
  readOnly?: boolean;
  jsonData?: Record<string, unknown>;
}

/** Explore link for the service graph of the Tempo data source. */
export function exploreServiceGraphLink(grafanaBase: string): string {
  const left = { datasource: 'tempo', queries: [{ refId: 'A', datasource: { type: 'tempo', uid: 'tempo' }, queryType: 'serviceMap' }], range: { from: 'now-1h', to: 'now' } };
  return `${grafanaBase}/explore?orgId=1&left=${encodeURIComponent(JSON.stringify(left))}`;
}

export const GRAFANA_NOT_READY = {
  en: 'Grafana is not healthy yet: it can take a minute after the install. Check `kubectl -n prometheus get pods -l app.kubernetes.io/name=grafana`.',
  'zh-TW': 'Grafana 尚未就緒：安裝後可能需要一分鐘。請查看 `kubectl -n prometheus get pods -l app.kubernetes.io/name=grafana`。',
};

export const NOT_GRAFANA = {
  en: 'Whatever answers there is not Grafana: every Grafana serves /api/health without a login. Is --grafana-url (or the port-forward to service/prometheus-stack-grafana) pointing at Grafana, not at Prometheus or Tempo?',
  'zh-TW': '那裡回應的不是 Grafana：每個 Grafana 都不需登入就提供 /api/health。--grafana-url（或到 service/prometheus-stack-grafana 的 port-forward）指向的是 Grafana，而不是 Prometheus 或 Tempo 嗎？',
};

/** /api/health needs no login; chapter 2 (Grafana came with the chart) and chapter 7 both ask it. */
export function grafanaHealth(id: string): import('../core/model.js').Check {
  return {
    id,
    title: { en: 'Grafana is healthy', 'zh-TW': 'Grafana 運作正常' },
    async probe(ctx) {
      const r = await grafanaRequest(ctx, '/api/health', { auth: false });
      const h = (r.json ?? {}) as { database?: string; version?: string };
      const evidence = `GET /api/health → ${r.status}, database ${h.database ?? '?'}, Grafana ${h.version ?? '?'}`;
      if (r.status === 200 && h.database === 'ok') return { ok: true, evidence };
      // every Grafana answers /api/health without a login: a 404 or a body without "database" is not Grafana
      if (r.status === 404 || (r.status === 200 && h.database === undefined)) {
        return { ok: false, final: !!ctx.lab.urls.grafana, evidence: `${evidence}: not Grafana's API`, hint: NOT_GRAFANA };
      }
      return { ok: false, evidence, hint: GRAFANA_NOT_READY };
    },
  };
}
