import { LAB_CONTEXT } from '../helpers/scenarios.js';
// Grafana through a contract server with Grafana 10.1's documented API shapes (test/helpers/grafana-server.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCheck } from '../../scripts/core/engine.js';
import { checks, HINTS, tempoDiff } from '../../chapters/07-grafana/index.js';
import { startTempoServer, type TempoServer } from '../helpers/tempo-server.js';
import { provisionedDataSources, startGrafanaServer, type GrafanaServer } from '../helpers/grafana-server.js';
import { scriptedShell, testContext, testLab } from '../helpers/context.js';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { fill } from '../../scripts/core/text.js';
import { freePort } from '../../scripts/effects/portforward.js';

const check = (id: string) => checks.find((c) => c.id === id)!;
const SECRET_CMD = 'kubectl --context kind-tempo-lab get secret prometheus-stack-grafana --namespace prometheus --output=json';
const secret = (user: string, password: string) => ({ stdout: JSON.stringify({ data: { 'admin-user': Buffer.from(user).toString('base64'), 'admin-password': Buffer.from(password).toString('base64') } }) });

let tempo: TempoServer;
let grafana: GrafanaServer;
beforeAll(async () => {
  tempo = await startTempoServer();
  grafana = await startGrafanaServer({ tempoUpstream: tempo.url, password: 's3cret-from-secret' });
});
afterAll(async () => {
  await grafana.close();
  await tempo.close();
});

// A budget that never binds when the verdict is a pass or a final failure (a busy machine cannot fail them);
// the tests of failures that are re-probed until the deadline give their own short one.
async function ctxFor(g: GrafanaServer, over: Parameters<typeof testLab>[0] = {}, password = 's3cret-from-secret') {
  return testContext(testLab({ urls: { grafana: g.url }, timeoutMs: 20_000, ...over }), { shell: scriptedShell({ [SECRET_CMD]: secret('admin', password) }) });
}

describe('chapter 7 against the Grafana contract server', () => {
  it('all checks pass with the provisioned data sources; the password comes from the secret and is not printed', async () => {
    const ctx = await ctxFor(grafana);
    const r = Object.fromEntries(await Promise.all(checks.map(async (c) => [c.id, await executeCheck(c, ctx)] as const)));
    for (const c of checks) expect(r[c.id]!.status, `${c.id}: ${r[c.id]!.evidence}`).toBe('passed');
    expect(r.login!.evidence).toBe('logged in as admin (password from secret prometheus/prometheus-stack-grafana; --show-secrets prints it)');
    expect(JSON.stringify(r)).not.toContain('s3cret-from-secret');
    expect(r['tempo-datasource']!.evidence).toBe('Tempo (tempo) → http://tempo-query-frontend.tracing:3100, service map → prometheus, node graph on');
    expect(r['exemplar-link']!.evidence).toBe('Prometheus: exemplar label traceID → data source uid tempo');
    expect(r['datasource-health']!.evidence).toBe('tempo: GET /api/echo through the proxy → 200 echo; prometheus: OK Successfully queried the Prometheus API.');
    expect(r['traceql-query']!.evidence).toMatch(/^TraceQL \{resource\.service\.name="shop-backend"\}: 5 traces; trace [0-9a-f]{32} through \/api\/ds\/query: \d+ spans$/);
    expect(r['traceql-query']!.details).toMatch(/^trace: {9}http:\/\/127\.0\.0\.1:\d+\/explore\?orgId=1&left=.*\nservice graph: http:\/\/127\.0\.0\.1:\d+\/explore\?orgId=1&left=.*serviceMap/);
    // the search went through the data source proxy, the trace through the backend
    expect(grafana.requests.some((q) => q.startsWith('GET /api/datasources/proxy/uid/tempo/api/search?q='))).toBe(true);
    expect(grafana.requests).toContain('POST /api/ds/query');
  });

  it('--show-secrets prints the password', async () => {
    const ctx = await ctxFor(grafana, { showSecrets: true });
    expect((await executeCheck(check('login'), ctx)).evidence).toBe('logged in as admin (password from secret prometheus/prometheus-stack-grafana: s3cret-from-secret)');
  });

  it('wrong credentials (401): says where the password lives and how to pass one', async () => {
    const ctx = await ctxFor(grafana, {}, 'wrong');
    const r = await executeCheck(check('login'), ctx);
    expect(r).toMatchObject({ status: 'failed', hint: fill(HINTS.unauthorized, { secret: 'prometheus-stack-grafana' }), attempts: 1 });
    expect(r.evidence).toBe('HTTP 401: Grafana refused the credentials as admin (password from secret prometheus/prometheus-stack-grafana; --show-secrets prints it)');
  });

  it('WORKBOOK_GRAFANA_PASSWORD wins over the secret (explicit endpoints without a cluster)', async () => {
    const ctx = await testContext(testLab({ urls: { grafana: grafana.url }, grafanaAuth: { password: 's3cret-from-secret' } }), { shell: scriptedShell({}) });
    expect((await executeCheck(check('login'), ctx)).evidence).toBe('logged in as admin (password from WORKBOOK_GRAFANA_PASSWORD; --show-secrets prints it)');
  });

  it('Grafana not ready: fails with a hint, no crash', async () => {
    const ctx = await ctxFor({ url: `http://127.0.0.1:${await freePort()}`, requests: [], close: async () => {} });
    const r = await executeCheck(check('health'), ctx);
    expect(r.status).toBe('failed');
    expect(r.evidence).toContain('ECONNREFUSED');
  });

  it('a data source with other settings: names each difference and the fix', async () => {
    const g = await startGrafanaServer({
      tempoUpstream: tempo.url,
      password: 's3cret-from-secret',
      dataSources: (ds) => ({ ...ds, tempo: { ...ds.tempo!, url: 'http://localhost:3200', jsonData: { nodeGraph: { enabled: false } } } }),
    });
    try {
      const r = await executeCheck(check('tempo-datasource'), await ctxFor(g));
      const diff = 'url: http://localhost:3200 ≠ the query-frontend or gateway; jsonData.serviceMap.datasourceUid: (unset) ≠ prometheus; jsonData.nodeGraph.enabled: false ≠ true';
      expect(r).toMatchObject({ status: 'failed', evidence: diff, hint: fill(HINTS.settings, { uid: 'tempo', diff }) });
    } finally {
      await g.close();
    }
  });

  it('missing data source and missing exemplar link', async () => {
    const g = await startGrafanaServer({
      tempoUpstream: tempo.url,
      password: 's3cret-from-secret',
      dataSources: (ds) => ({ prometheus: { ...ds.prometheus!, jsonData: { httpMethod: 'POST' } } }),
    });
    try {
      const ctx = await ctxFor(g, { timeoutMs: 1000 });
      const t = await executeCheck(check('tempo-datasource'), ctx);
      expect(t).toMatchObject({ status: 'failed', evidence: 'no data source with uid tempo (HTTP 404)', hint: fill(HINTS.missing, { uid: 'tempo', type: 'Tempo' }) });
      const e = await executeCheck(check('exemplar-link'), ctx);
      expect(e.evidence).toBe('jsonData.exemplarTraceIdDestinations: (none) ≠ [{name: traceID, datasourceUid: tempo}]');
    } finally {
      await g.close();
    }
  });

  it('Tempo data source unhealthy', async () => {
    const g = await startGrafanaServer({ tempoUpstream: tempo.url, password: 's3cret-from-secret', tempoHealthy: false });
    try {
      const r = await executeCheck(check('datasource-health'), await ctxFor(g, { timeoutMs: 1000 }));
      expect(r).toMatchObject({ status: 'failed', hint: HINTS.dsHealth });
      expect(r.evidence).toContain('tempo: GET /api/echo through the proxy → 502');
    } finally {
      await g.close();
    }
  });

  it('TraceQL through Grafana finds nothing: fails with the query hint', async () => {
    const empty = await startTempoServer({ emptySearch: true });
    const g = await startGrafanaServer({ tempoUpstream: empty.url, password: 's3cret-from-secret' });
    try {
      const r = await executeCheck(check('traceql-query'), await ctxFor(g, { timeoutMs: 1000 }));
      expect(r).toMatchObject({ status: 'failed', evidence: 'TraceQL {resource.service.name="shop-backend"} through Grafana: 0 traces', hint: HINTS.query });
    } finally {
      await g.close();
      await empty.close();
    }
  });

  it('Grafana 10.1.2: a trace by id is asked once per candidate as queryType traceId; Tempo\'s /health (404 there) is never asked', async () => {
    const g = await startGrafanaServer({ tempoUpstream: tempo.url, password: 's3cret-from-secret' });
    try {
      const ctx = await ctxFor(g);
      const r = await executeCheck(check('traceql-query'), ctx);
      expect(r.status, r.evidence).toBe('passed');
      // four candidates (Tempo holds the fourth), each asked once
      expect(g.requests.filter((q) => q === 'POST /api/ds/query')).toHaveLength(4);
      expect(r.evidence).toContain('trace 312e00f27cf65fb713a9a3fdda809b10 through /api/ds/query: 10 spans');
      expect((await executeCheck(check('datasource-health'), ctx)).status).toBe('passed');
      expect(g.requests).not.toContain('GET /api/datasources/uid/tempo/health');
      expect(g.requests).toContain('GET /api/datasources/proxy/uid/tempo/api/echo');
    } finally {
      await g.close();
    }
  });

  it('the provisioned data sources come from the values file', () => {
    const ds = provisionedDataSources();
    expect(tempoDiff(ds.tempo!)).toEqual([]);
    expect(ds.prometheus!.url).toBe('http://prometheus-stack-prometheus.prometheus:9090/');
  });
});

describe('workbook verify grafana (the CLI)', () => {
  it('through a port-forward to service/prometheus-stack-grafana 3000:80, password from the secret', async () => {
    const gp = await freePort();
    const world = new FakeWorld({
      rules: {
        kubectl: [
          ...LAB_CONTEXT,
          { argv: ['--context', 'kind-tempo-lab', 'get', 'secret', 'prometheus-stack-grafana', '--namespace', 'prometheus', '--output=json'], stdout: secret('admin', 's3cret-from-secret').stdout },
          { prefix: ['--context', 'kind-tempo-lab', 'port-forward', '--address', '127.0.0.1', '--namespace', 'prometheus', 'service/prometheus-stack-grafana', `${gp}:80`], listen: true, proxyTo: grafana.url.replace('http://', '') },
        ],
      },
    });
    try {
      const r = await runCli(['verify', 'grafana'], world.env({ CI: 'true', WORKBOOK_PORTS: `grafana=${gp}` }));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('6/6 passed');
      expect(r.stdout).toContain(`service graph: http://127.0.0.1:${gp}/explore`);
      expect(r.stdout).not.toContain('s3cret-from-secret');
    } finally {
      world.cleanup();
    }
  });
});
