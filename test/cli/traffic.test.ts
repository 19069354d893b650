// `workbook traffic`: decode what it sends (OTLP/HTTP JSON) and hold it against the article's templates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { FakeWorld, runCli, waitFor } from '../helpers/fakes.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { buildTrace, seededRng } from '../../scripts/lab/traffic.js';
import { TEMPLATES, templateGaps } from '../../chapters/05-traces/index.js';
import type { FlatSpan } from '../../scripts/lab/tempo.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string } }[];
  status: { code?: number; message?: string };
}
interface Otlp {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue: string } }[] }; scopeSpans: { scope?: { name: string }; spans: OtlpSpan[] }[] }[];
}

const KIND_NAME: Record<number, string> = { 1: 'SPAN_KIND_INTERNAL', 2: 'SPAN_KIND_SERVER', 3: 'SPAN_KIND_CLIENT' };

/** OTLP/JSON (hex ids, numeric kinds) → the flat spans chapter 5 checks. */
function decode(body: Otlp): (FlatSpan & { start: bigint; end: bigint })[] {
  return body.resourceSpans.flatMap((rs) => {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name')!.value.stringValue;
    return rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({
        service,
        name: s.name,
        kind: KIND_NAME[s.kind]!,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId,
        traceIdHex: s.traceId,
        statusCode: s.status.code === 2 ? 'STATUS_CODE_ERROR' : undefined,
        attributes: Object.fromEntries(s.attributes.map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? ''])),
        start: BigInt(s.startTimeUnixNano),
        end: BigInt(s.endTimeUnixNano),
      })),
    );
  });
}

describe('the built-in generator', () => {
  it.each([0, 1, 2])('template %i is an instance of the article\'s template, with kinds that pair into service-graph edges', (i) => {
    const now = Date.now();
    const { traceId, body } = buildTrace(i, now, seededRng(42 + i));
    const spans = decode(body as Otlp);
    expect(templateGaps(spans, TEMPLATES[i]!)).toEqual([]);
    expect(spans.every((s) => s.traceIdHex === traceId && /^[0-9a-f]{32}$/.test(traceId) && /^[0-9a-f]{16}$/.test(s.spanId))).toBe(true);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const s of spans) {
      const p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
      if (!p) expect(s.kind).toBe('SPAN_KIND_SERVER');
      else if (p.service !== s.service) {
        // a cross-service child is SERVER under a CLIENT: the pair the service graph counts
        expect([p.kind, s.kind]).toEqual(['SPAN_KIND_CLIENT', 'SPAN_KIND_SERVER']);
      }
      if (p) {
        expect(s.start >= p.start && s.end <= p.end, `${s.service}:${s.name} inside ${p.service}:${p.name}`).toBe(true);
      }
      expect(s.end > s.start).toBe(true);
    }
    // as xk6 v0.0.2 (templated.go generateSpan): the root starts 5 s before "now", well inside the metrics
    // generator's 30 s slack
    const root = spans.find((s) => !s.parentSpanId)!;
    expect(Number(root.start / 1_000_000n)).toBe(now - 5000);
  });

  it('statuses as xk6-client-tracing v0.0.2 sets them: only the CLIENT side of the 403 call is ERROR; success statuses are random', () => {
    const rng = seededRng(7);
    const seen = new Set<string>();
    for (let n = 0; n < 30; n++) {
      const spans = decode(buildTrace(n, Date.now(), rng).body as Otlp);
      for (const s of spans) {
        if (s.kind !== 'SPAN_KIND_INTERNAL' && s.attributes['http.status_code']) seen.add(s.attributes['http.status_code']);
        const expectError = n % 3 === 2 && s.kind === 'SPAN_KIND_CLIENT';
        expect(s.statusCode === 'STATUS_CODE_ERROR', `${n} ${s.service}:${s.name} ${s.kind}`).toBe(expectError);
      }
      if (n % 3 === 2) {
        expect(spans.map((s) => [s.kind, s.attributes['http.status_code']])).toEqual([
          ['SPAN_KIND_SERVER', '403'],
          ['SPAN_KIND_CLIENT', '403'],
          ['SPAN_KIND_SERVER', '403'],
        ]);
        // the root has no name in the template: a random "<operation>-<resource>" (pkg/random Operation)
        expect(spans[0]!.name).toMatch(/^[a-z]+-[a-z]+$/);
      }
    }
    expect([...seen].sort()).toEqual(['200', '201', '202', '204', '403']);
  });

  it('resources and scope are xk6\'s: k6=true and service.name, scope "k6"; DB spans carry no HTTP attributes', () => {
    const body = buildTrace(0, Date.now(), seededRng(3)).body as Otlp;
    expect(body.resourceSpans.map((r) => r.resource.attributes.map((a) => a.key))).toEqual(Array(4).fill(['k6', 'service.name']));
    expect(body.resourceSpans.every((r) => r.scopeSpans[0]!.scope?.name === 'k6')).toBe(true);
    const spans = decode(body);
    const pg = spans.find((s) => s.service === 'postgres')!;
    expect(pg.kind).toBe('SPAN_KIND_SERVER');
    expect(Object.keys(pg.attributes).filter((k) => k.startsWith('http.'))).toEqual([]);
    // 5 random attributes of its own plus the trace's 2 (defaults.randomAttributes)
    expect(Object.keys(pg.attributes).filter((k) => k.startsWith('k6.'))).toHaveLength(7);
  });
});

describe('workbook traffic --otlp-url (the CLI)', () => {
  let server: Server;
  let url: string;
  const received: { path: string; type: string; body: Otlp }[] = [];
  let refuse = false;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        if (refuse) return res.writeHead(404).end('404 page not found');
        received.push({ path: req.url!, type: req.headers['content-type']!, body: JSON.parse(b) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => server.close());

  it('sends the three templates in turn to /v1/traces', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['traffic', '--otlp-url', url, '--count', '6', '--rate', '50'], world.env({ CI: 'true' }));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('6 traces sent (list-articles 2, article-to-cart 2, forbidden 2), 0 failed');
      expect(received.map((x) => [x.path, x.type])).toEqual(Array(6).fill(['/v1/traces', 'application/json']));
      received.forEach((x, i) => expect(templateGaps(decode(x.body), TEMPLATES[i % 3]!)).toEqual([]));
      expect(world.calls()).toEqual([]);
    } finally {
      world.cleanup();
    }
  });

  it('an endpoint that refuses everything: one line, exit 1', async () => {
    refuse = true;
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['traffic', '--otlp-url', url, '--count', '5', '--rate', '100'], world.env({ CI: 'true' }));
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error: ${url}/v1/traces refused every trace: HTTP 404 404 page not found\nhint: Is the distributor up with traces.otlp.http.enabled (chapter 3)?\n`);
    } finally {
      refuse = false;
      world.cleanup();
    }
  });

  it('--otlp-url with the path, or without it: the same /v1/traces', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      received.length = 0;
      const r = await runCli(['traffic', '--otlp-url', `${url}/v1/traces`, '--count', '2', '--rate', '50'], world.env({ CI: 'true' }));
      expect(r.code, r.stderr).toBe(0);
      expect(received.map((x) => x.path)).toEqual(['/v1/traces', '/v1/traces']);
    } finally {
      world.cleanup();
    }
  });

  it('Ctrl-C during a long wait (--rate 0.001): ends at once with the summary, exit 0', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      received.length = 0;
      let child: import('node:child_process').ChildProcess | undefined;
      const run = runCli(['traffic', '--otlp-url', url, '--rate', '0.001', '--count', '0'], world.env({ CI: 'true' }), { onSpawn: (c) => (child = c) });
      await waitFor('the first trace', () => received.length >= 1);
      child!.kill('SIGINT');
      const r = await run;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('1 traces sent (list-articles 1, article-to-cart 0, forbidden 0), 0 failed');
    } finally {
      world.cleanup();
    }
  });

  it('an HTML page that answers 200 is not an OTLP receiver: every trace failed, named', async () => {
    const html = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>login</body></html>'));
    const port = await freePort();
    await new Promise<void>((r) => html.listen(port, '127.0.0.1', () => r()));
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['traffic', '--otlp-url', `http://127.0.0.1:${port}`, '--count', '3', '--rate', '100'], world.env({ CI: 'true' }));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('refused every trace: answered 2xx but not as an OTLP receiver does (text/html: <html><body>login</body></html>)');
    } finally {
      world.cleanup();
      html.close();
    }
  });

  it('bad --count / --rate', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      expect((await runCli(['traffic', '--count=-1'], world.env())).stderr).toBe('error: --count must be a whole number ≥ 0, not "-1"\n');
      expect((await runCli(['traffic', '--count', '-1'], world.env())).stderr).toBe('error: flag --count: a value that starts with "-" is written --count=VALUE (see workbook traffic --help)\n');
      expect((await runCli(['traffic', '--rate', 'fast'], world.env())).code).toBe(2);
    } finally {
      world.cleanup();
    }
  });
});

describe('sendTraffic over many traces', () => {
  it('leaves no abort listener behind per trace (the embedded lab\'s traffic runs for hours)', async () => {
    const { sendTraffic } = await import('../../scripts/lab/traffic.js');
    const { testContext, testLab } = await import('../helpers/context.js');
    const calls: string[] = [];
    const ctx = await testContext(testLab({ urls: { otlp: 'http://127.0.0.1:9' } }), {
      http: { request: async (url) => (calls.push(url), { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }) },
      clock: { now: () => 0, sleep: async () => {} },
    });
    const ac = new AbortController();
    const added: string[] = [];
    const removed: string[] = [];
    const add = ac.signal.addEventListener.bind(ac.signal);
    const remove = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((t: string, l: never, o?: never) => (added.push(t), add(t, l, o))) as never;
    ac.signal.removeEventListener = ((t: string, l: never, o?: never) => (removed.push(t), remove(t, l, o))) as never;
    const r = await sendTraffic(ctx, { count: 50, rate: 10, signal: ac.signal, log: () => {} });
    expect(r.sent).toBe(50);
    expect(added.length).toBeGreaterThan(0);
    expect(removed.length).toBe(added.length);
  });
});
