// A contract server for the parts of Grafana's HTTP API the workbook uses, with the response shapes of Grafana 10.1.2
// (kube-prometheus-stack 51.2.0 packaged grafana chart 6.59.5: shared/reference/charts-audit.md row 5), as Grafana's
// HTTP API docs describe them: /api/health, /api/user, /api/datasources/uid/:uid, /api/datasources/uid/:uid/health,
// /api/datasources/proxy/uid/:uid/* and /api/ds/query. No Grafana response was captured (no Grafana ran here):
// each behaviour names its upstream source beside it. Its data sources are what Grafana provisions from
// manifests/prometheus-stack.values.yaml (the chart's datasource ConfigMap), so the values are tested too.
// Listens on 127.0.0.1 only; proxies Tempo calls to the Tempo contract server.
// values merged as helm does: the product's own merge, shared with the embedded lab
import { mergeValues } from '../../scripts/lab/values.js';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { freePort } from '../../scripts/effects/portforward.js';

export interface GrafanaServerOptions {
  tempoUpstream: string;
  user?: string;
  password?: string;
  /** values overlays laid over manifests/prometheus-stack.values.yaml before provisioning (a challenge's fault) */
  overlays?: string[];
  /** change the provisioned data sources (drop one, alter settings) */
  dataSources?: (ds: Record<string, DS>) => Record<string, DS>;
  tempoHealthy?: boolean;
}

/** Grafana 10.1.2: grafana chart 6.59.5's appVersion (grafana/helm-charts@grafana-6.59.5:charts/grafana/Chart.yaml). */
export const GRAFANA_VERSION = '10.1.2';

export interface DS {
  id: number;
  uid: string;
  orgId: number;
  name: string;
  type: string;
  access: string;
  url: string;
  isDefault: boolean;
  readOnly: boolean;
  jsonData: Record<string, unknown>;
  [k: string]: unknown;
}

/**
 * What the chart's provisioning makes of the values (templates/grafana/configmaps-datasources.yaml), with any
 * overlays laid over them as `--values` files (a challenge's fault).
 */
export function provisionedDataSources(overlays: string[] = []): Record<string, DS> {
  const v = mergeValues<any>(['manifests/prometheus-stack.values.yaml', ...overlays]);
  const sc = v.grafana.sidecar.datasources;
  const common = { orgId: 1, typeLogoUrl: '', user: '', database: '', basicAuth: false, basicAuthUser: '', withCredentials: false, secureJsonFields: {}, version: 1 };
  const prom: DS = {
    ...common,
    id: 1,
    uid: sc.uid,
    name: 'Prometheus',
    type: 'prometheus',
    access: 'proxy',
    url: `http://${v.fullnameOverride}-prometheus.prometheus:9090/`,
    isDefault: true,
    readOnly: true,
    jsonData: {
      httpMethod: 'POST',
      timeInterval: '30s',
      ...(sc.exemplarTraceIdDestinations ? { exemplarTraceIdDestinations: [{ datasourceUid: sc.exemplarTraceIdDestinations.datasourceUid, name: sc.exemplarTraceIdDestinations.traceIdLabelName }] } : {}),
    },
  };
  const out: Record<string, DS> = { [prom.uid]: prom };
  (v.grafana.additionalDataSources ?? []).forEach((d: Partial<DS> & { uid: string }, i: number) => {
    const { editable, ...rest } = d as Partial<DS> & { uid: string; editable?: boolean };
    out[d.uid] = { ...common, id: 2 + i, isDefault: false, readOnly: editable === false, name: d.uid, type: '', access: 'proxy', url: '', ...rest, jsonData: d.jsonData ?? {} };
  });
  return out;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((r) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => r(b));
  });
}

export interface GrafanaServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startGrafanaServer(opts: GrafanaServerOptions): Promise<GrafanaServer> {
  const user = opts.user ?? 'admin';
  const password = opts.password ?? 'prom-operator';
  const ds = (opts.dataSources ?? ((x) => x))(provisionedDataSources(opts.overlays));
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    // shape: Grafana HTTP API docs (docs/sources/developers/http_api/other.md, "Health API"); commit is not captured
    if (url.pathname === '/api/health') return json(200, { commit: 'unknown', database: 'ok', version: GRAFANA_VERSION });
    const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return json(401, { message: 'invalid username or password' });
    if (url.pathname === '/api/user') {
      return json(200, { id: 1, email: 'admin@localhost', name: '', login: user, theme: '', orgId: 1, isGrafanaAdmin: true, isDisabled: false, isExternal: false, authLabels: [], updatedAt: '2026-11-25T00:00:00Z', createdAt: '2026-11-25T00:00:00Z', avatarUrl: '/avatar/46d229b033af06a191ff2267bca9ae56' });
    }
    const health = /^\/api\/datasources\/uid\/([^/]+)\/health$/.exec(url.pathname);
    if (health) {
      const d = ds[health[1]!];
      if (!d) return json(404, { message: 'Data source not found' });
      // Grafana 10.1's Tempo plugin has no backend CheckHealth (it tests itself in the browser through the proxy's
      // /api/echo; grafana/grafana PR #38018, moved to the backend only by PR #111668 in 2025), and a plugin
      // without one answers 404 here (grafana/grafana issue #65970, the same for Prometheus before PR #66646).
      if (d.type === 'tempo') return json(404, { message: 'Not found' });
      // Prometheus has a backend health check since grafana/grafana PR #66646 (10.0); message from its source
      return json(200, { status: 'OK', message: 'Successfully queried the Prometheus API.' });
    }
    const one = /^\/api\/datasources\/uid\/([^/]+)$/.exec(url.pathname);
    if (one) return ds[one[1]!] ? json(200, ds[one[1]!]) : json(404, { message: 'Data source not found' });
    const proxy = /^\/api\/datasources\/proxy\/uid\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (proxy) {
      if (!ds[proxy[1]!]) return json(404, { message: 'Unable to find datasource' });
      // the proxy reaches the data source's URL; when it cannot, Grafana answers 502 "Bad Gateway"
      // (pkg/api/pluginproxy/ds_proxy.go's error handler)
      if (ds[proxy[1]!]!.type === 'tempo' && opts.tempoHealthy === false) return json(502, { message: 'Bad Gateway' });
      const up = await fetch(`${opts.tempoUpstream}${proxy[2]}${url.search}`);
      res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
      return res.end(await up.text());
    }
    if (url.pathname === '/api/ds/query' && req.method === 'POST') {
      const q = JSON.parse(await body(req)) as { queries: { refId: string; queryType: string; query: string; datasource: { uid: string } }[] };
      const results: Record<string, unknown> = {};
      // Grafana 10.1's Tempo backend serves only queryType "traceId" (pkg/tsdb/tempo/tempo.go of that era); any
      // other type is an error of the whole QueryData call, which /api/ds/query answers with HTTP 500 "Query data
      // error" (pkg/api/metrics.go handleQueryMetricsError), not with results.A.error (charts-audit.md row 4).
      if (q.queries.some((x) => x.queryType !== 'traceId')) return json(500, { message: 'Query data error' });
      for (const query of q.queries) {
        const up = await fetch(`${opts.tempoUpstream}/api/traces/${query.query}`);
        if (up.status !== 200) {
          results[query.refId] = { error: `failed to get trace with id: ${query.query} Status: ${up.status} ${up.statusText} Body: ${(await up.text()).trim()}`, status: 500 };
          continue;
        }
        const t = (await up.json()) as { batches: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { spanId: string; parentSpanId?: string; name: string }[] }[] }[] };
        const rows = t.batches.flatMap((b) => b.scopeSpans.flatMap((s) => s.spans.map((sp) => ({ sp, svc: b.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '' }))));
        results[query.refId] = {
          status: 200,
          frames: [
            {
              schema: {
                name: 'Trace',
                refId: query.refId,
                meta: { preferredVisualisationType: 'trace' },
                fields: [
                  { name: 'traceID', type: 'string' },
                  { name: 'spanID', type: 'string' },
                  { name: 'parentSpanID', type: 'string' },
                  { name: 'operationName', type: 'string' },
                  { name: 'serviceName', type: 'string' },
                ],
              },
              data: { values: [rows.map(() => query.query), rows.map((r) => Buffer.from(r.sp.spanId, 'base64').toString('hex')), rows.map((r) => (r.sp.parentSpanId ? Buffer.from(r.sp.parentSpanId, 'base64').toString('hex') : '')), rows.map((r) => r.sp.name), rows.map((r) => r.svc)] },
            },
          ],
        };
      }
      return json(200, { results });
    }
    json(404, { message: 'Not found' });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}
