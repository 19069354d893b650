import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCheck } from '../../scripts/core/engine.js';
import { checks, NO_TRACES_HINT, TEMPLATES, templateGaps } from '../../chapters/05-traces/index.js';
import { flattenTrace, padTraceId, exploreTraceLink, searchPath } from '../../scripts/lab/tempo.js';
import { testContext, testLab } from '../helpers/context.js';
import { startTempoServer, type TempoServer } from '../helpers/tempo-server.js';
import { FakeWorld, ROOT, runCli } from '../helpers/fakes.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const check = (id: string) => checks.find((c) => c.id === id)!;
const T3 = 'tempo__api_traces_T3_xk6_v0.0.2_statuses.json';
const fixture = (f: string) => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/tempo', f), 'utf8'));

let tempo: TempoServer;
beforeAll(async () => {
  tempo = await startTempoServer();
});
afterAll(() => tempo.close());

describe('Tempo API quirks, on the captured responses', () => {
  it('ids: base64 in /api/traces, zero-stripped hex in search', () => {
    const spans = flattenTrace(fixture('tempo__api_traces_ID.json'));
    expect(spans[0]!.traceIdHex).toBe('110f0a897a8e08ad31715fece4e78545');
    expect(padTraceId('c3fd740c1995b346b7e36f1324d0127')).toBe('0c3fd740c1995b346b7e36f1324d0127');
  });
  it('the three captured traces are instances of the article\'s templates; a wrong template is not', () => {
    const [t1, t2, t3] = TEMPLATES;
    expect(templateGaps(flattenTrace(fixture('tempo__api_traces_ID.json')), t1!)).toEqual([]);
    expect(templateGaps(flattenTrace(fixture('tempo__api_traces_ID_T2.json')), t2!)).toEqual([]);
    // re-captured with xk6-client-tracing v0.0.2's statuses: only the CLIENT span is ERROR, the 403 SERVER spans are unset
    expect(templateGaps(flattenTrace(fixture(T3)), t3!)).toEqual([]);
    expect(templateGaps(flattenTrace(fixture('tempo__api_traces_ID.json')), t2!)).toContain('shop-backend:article-to-cart ← ROOT');
    expect(templateGaps(flattenTrace(fixture('tempo__api_traces_ID.json')), t3!)).toEqual(['no span with http.status_code=403']);
  });
  it('a 403 CLIENT span without error status is named; 403 SERVER spans with status unset are what xk6 sends', () => {
    const t3 = fixture(T3);
    const spans = flattenTrace(t3);
    expect(spans.map((s) => [s.service, s.kind, s.statusCode ?? 'unset'])).toEqual([
      ['shop-backend', 'SPAN_KIND_SERVER', 'unset'],
      ['shop-backend', 'SPAN_KIND_CLIENT', 'STATUS_CODE_ERROR'],
      ['auth-service', 'SPAN_KIND_SERVER', 'unset'],
    ]);
    t3.batches[0].scopeSpans[0].spans[1].status = {};
    expect(templateGaps(flattenTrace(t3), TEMPLATES[2]!)).toEqual(['shop-backend:authenticate (CLIENT) has 403 but status unset']);
  });
  it('searches always carry start and end (without them Tempo only asks the ingesters)', async () => {
    const ctx = await testContext(testLab(), { clock: { now: () => 1_795_548_592_000, sleep: async () => {} } });
    expect(searchPath(ctx, { q: '{status=error}' })).toBe('/api/search?q=%7Bstatus%3Derror%7D&limit=20&start=1795544992&end=1795548592');
  });
});

describe('chapter 5 checks against the Tempo contract server (--tempo-url)', () => {
  it('all pass, each with evidence; template checks print the trace id and an Explore link', async () => {
    const lab = testLab({ urls: { tempo: tempo.url, grafana: 'http://127.0.0.1:3000' } });
    const ctx = await testContext(lab);
    const results = Object.fromEntries(await Promise.all(checks.map(async (c) => [c.id, await executeCheck(c, ctx)] as const)));
    for (const [id, r] of Object.entries(results)) expect(r.status, `${id}: ${r.evidence}`).toBe('passed');
    expect(results['service-names']!.evidence).toBe('service.name values: article-service, auth-service, cart-service, postgres, shop-backend');
    expect(results['search-tags']!.evidence).toBe('tags=service.name=shop-backend, last hour: 5 traces');
    expect(results['search-traceql']!.evidence).toBe('{resource.service.name="shop-backend"}, last hour: 5 traces');
    expect(results['trace-list-articles']!.evidence).toContain('trace 110f0a897a8e08ad31715fece4e78545: 7 spans, shop-backend → auth-service → article-service → postgres');
    expect(results['trace-article-to-cart']!.evidence).toContain('trace 312e00f27cf65fb713a9a3fdda809b10: 10 spans');
    expect(results['trace-forbidden']!.evidence).toContain('trace 0fc2e2baec7f472602c188e4a6df6c9c: 3 spans, shop-backend → auth-service, 1 with error status (shop-backend:authenticate)');
    expect(results['trace-forbidden']!.evidence).toContain(exploreTraceLink(lab, '0fc2e2baec7f472602c188e4a6df6c9c'));
    // ids whose traces the server does not hold answered 404 and were skipped: e.g. the zero-stripped T1 id
    expect(tempo.requests).toContain('/api/traces/09822f9bf41abcf454fd636a2b3f9228');
  });
  it('empty search (Tempo restarted, nothing in range): fails with the traffic hint', async () => {
    const empty = await startTempoServer({ emptySearch: true });
    try {
      const ctx = await testContext(testLab({ urls: { tempo: empty.url }, timeoutMs: 300 }));
      const r = await executeCheck(check('search-tags'), ctx);
      expect(r).toMatchObject({ status: 'failed', evidence: 'tags=service.name=shop-backend, last hour: 0 traces', hint: NO_TRACES_HINT });
      const t = await executeCheck(check('trace-list-articles'), ctx);
      expect(t.evidence).toBe('no list-articles trace found by service.name=shop-backend');
      expect(await executeCheck(check('search-traceql'), ctx)).toMatchObject({ status: 'failed', evidence: '{resource.service.name="shop-backend"}, last hour: 0 traces', hint: NO_TRACES_HINT });
      expect((await executeCheck(check('trace-article-to-cart'), ctx)).status).toBe('failed');
      expect(await executeCheck(check('trace-forbidden'), ctx)).toMatchObject({ status: 'failed', evidence: 'no forbidden trace found by {span.http.status_code=403} or {status=error}' });
    } finally {
      await empty.close();
    }
  });
  it('truncated or non-JSON trace bodies and 404s: a failure with evidence, no crash', async () => {
    for (const brokenTraces of ['truncated', 'html'] as const) {
      const broken = await startTempoServer({ brokenTraces });
      try {
        const r = await executeCheck(check('trace-list-articles'), await testContext(testLab({ urls: { tempo: broken.url }, timeoutMs: 300 })));
        expect(r.status).toBe('failed');
        expect(r.evidence).toMatch(/^2 candidates, none matched: 09822f9b… 404 trace not found; 110f0a89… /);
        expect(r.evidence).toContain(brokenTraces === 'html' ? 'HTTP 502, not JSON' : 'HTTP 200, not JSON');
      } finally {
        await broken.close();
      }
    }
  });
  it('Tempo unreachable', async () => {
    const r = await executeCheck(check('service-names'), await testContext(testLab({ urls: { tempo: `http://127.0.0.1:${await freePort()}` }, timeoutMs: 300 })));
    expect(r.status).toBe('failed');
    expect(r.evidence).toContain('ECONNREFUSED');
  });
});

describe('workbook verify traces --tempo-url (the CLI)', () => {
  it('exit 0 and a JSON report with every check', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const report = join(world.dir, 'report.json');
      const r = await runCli(['verify', 'traces', '--tempo-url', tempo.url, '--json', report], world.env({ CI: 'true' }));
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toContain('6/6 passed');
      const json = JSON.parse(readFileSync(report, 'utf8'));
      expect(json.passed).toBe(true);
      expect(json.chapters[0].items.map((i: { id: string }) => i.id)).toEqual(['service-names', 'search-tags', 'search-traceql', 'trace-list-articles', 'trace-article-to-cart', 'trace-forbidden']);
      expect(world.calls()).toEqual([]);
    } finally {
      world.cleanup();
    }
  });
});
