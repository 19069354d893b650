// Chapters 3–6 against a REAL Tempo 2.2.2 (one process, `target: all`) whose metrics generator remote-writes into a
// REAL Prometheus 2.42, fed by the workbook's traffic (xk6-client-tracing v0.0.2's semantics): passing on the
// article's setup, and failing with the right diagnosis for each real cause.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/fakes.js';
import { chapter as ch3 } from '../../chapters/03-tempo/index.js';
import { chapter as ch4 } from '../../chapters/04-traffic/index.js';
import { NO_TRACES_HINT, chapter as ch5 } from '../../chapters/05-traces/index.js';
import { SERVICES } from '../../scripts/lab/shop.js';
import { CAUSE, chapter as ch6 } from '../../chapters/06-metrics-generator/index.js';
import { RING_DEGRADED } from '../../scripts/lab/tempo.js';
import { fill } from '../../scripts/core/text.js';
import { startPrometheus, type RealPrometheus } from '../helpers/prometheus.js';
import { startTempo, tempoBinary, type RealTempo, type TempoOptions } from '../helpers/real-tempo.js';
import { startTraffic, statuses, verifyChapter } from '../helpers/real-lab.js';

const found = tempoBinary();
if (!found.bin) console.log(`real Tempo tests skipped: ${found.why}`);

interface Lab {
  prom: RealPrometheus;
  tempo: RealTempo;
  urls: { tempo: string; prometheus: string };
}

async function lab(o: { prometheus?: { receiver: boolean; exemplars: boolean }; tempo?: Omit<TempoOptions, 'remoteWrite'>; remoteWrite?: string } = {}): Promise<Lab> {
  const prom = await startPrometheus(o.prometheus ?? { receiver: true, exemplars: true });
  const tempo = await startTempo({ ...o.tempo, remoteWrite: o.remoteWrite ?? prom.url });
  return { prom, tempo, urls: { tempo: tempo.url, prometheus: prom.url } };
}

async function stop(l?: Lab) {
  await Promise.all([l?.tempo.stop(), l?.prom.stop()]);
}

describe.skipIf(!found.bin)('the article\'s setup on a real Tempo 2.2.2 and a real Prometheus 2.42', () => {
  let l: Lab;
  let traffic: ReturnType<typeof startTraffic>;
  beforeAll(async () => {
    l = await lab();
    traffic = startTraffic(l.tempo.otlpUrl, { rate: 10 });
  });
  afterAll(async () => {
    await traffic?.stop();
    await stop(l);
  });

  it('chapter 3: ready and retention pass; pods are skipped (explicit URL); one ingester of replication factor 1 is named', async () => {
    const r = await verifyChapter(ch3, l.urls, 3000);
    // Tempo 3's checks of the chapter do not apply to Tempo 2.2.2
    const tempo3 = Object.fromEntries(ch3.checks.filter((c) => c.tempo === 3).map((c) => [c.id, 'not-applicable']));
    expect(statuses(r)).toEqual({ pods: 'not-applicable', ready: 'passed', 'ingester-ring': 'failed', 'block-retention': 'passed', ...tempo3 });
    expect(r.pods!.evidence).toBe('asks the cluster (kubectl); not applicable because --tempo-url names the endpoint directly');
    expect(r.ready!.evidence).toBe('GET /ready → 200 ready (Tempo 2.2.2)');
    expect(r['block-retention']!.evidence).toBe('compactor.compaction.block_retention: 48h0m0s');
    // a single process is its own, only ingester: the ring check says what it sees, and that writes still work
    expect(r['ingester-ring']!.evidence).toBe('1/3 ingesters ACTIVE and heartbeating (replication_factor 1, writes need 1)');
    expect(r['ingester-ring']!.hint).toEqual(fill(RING_DEGRADED, { left: '2 missing', rf: 1, quorum: 1, active: 1 }));
  });

  it('chapter 4: the distributor receives spans, none discarded', async () => {
    const r = await verifyChapter(ch4, l.urls);
    // Tempo 3's checks (the Kafka path) do not apply to Tempo 2 (derived: check.tempo === 3)
    expect(statuses(r)).toEqual({ 'generator-running': 'not-applicable', 'spans-received': 'passed', ...Object.fromEntries(ch4.checks.filter((c) => c.tempo === 3).map((c) => [c.id, 'not-applicable'])) });
    expect(r['spans-received']!.evidence).toMatch(/^tempo_distributor_spans_received_total \d+ → \d+ in 2 s \(\+\d+\), none discarded$/);
  });

  it('chapter 5: every check passes on traces with xk6\'s statuses', async () => {
    const r = await verifyChapter(ch5, l.urls);
    for (const [id, x] of Object.entries(r)) expect(x.status, `${id}: ${x.evidence}`).toBe('passed');
    expect(r['trace-forbidden']!.evidence).toMatch(/^trace [0-9a-f]{32}: 3 spans, shop-backend → auth-service, 1 with error status \(shop-backend:authenticate\)/);
  });

  it('chapter 6: series, the five edges, failures only on shop-backend → auth-service, span metrics, exemplars that open in Tempo', async () => {
    const r = await verifyChapter(ch6, l.urls);
    for (const [id, x] of Object.entries(r)) expect(x.status, `${id}: ${x.evidence}`).toBe('passed');
    expect(r['failed-requests']!.evidence).toMatch(/^failed requests only on the 403 path: shop-backend → auth-service \(\d+\)$/);
    expect(r['service-graph-edges']!.evidence).toBe('5/5 edges rising over 1m');
    expect(r['exemplar-to-trace']!.evidence).toMatch(/^exemplar traceID [0-9a-f]+ on traces_\w+_bucket\{.*\} → Tempo: \d+ spans/);
  });

  // "check it yourself": the checks' own commands and the lessons', run by hand against the same lab
  it('every command a check of chapters 5 and 6 shows runs against the real Tempo and Prometheus and shows what the check saw', async () => {
    const run = promisify(execFile);
    for (const chapter of [ch5, ch6]) {
      const r = await verifyChapter(chapter, l.urls);
      for (const [id, x] of Object.entries(r)) {
        expect(x.status, `${id}: ${x.evidence}`).toBe('passed');
        const commands = (x.manual ?? []).filter((c) => !c.startsWith('#'));
        expect(commands.length, id).toBeGreaterThan(0);
        let seen = '';
        for (const c of commands) {
          expect(c, id).toMatch(/^curl -s /);
          const { stdout } = await run('sh', ['-c', c], { timeout: 20_000 });
          // Tempo's /status/config is YAML (the series check reads the generator's collection interval there)
          if (c.includes('/status/config')) expect(stdout, `${id}: ${c}`).toMatch(/^GET \/status\/config\n/);
          else {
            const body = JSON.parse(stdout);
            if (c.includes('/api/v1/')) expect(body.status, `${id}: ${c}`).toBe('success');
          }
          seen += stdout;
        }
        // what the evidence names (metric names, services, trace ids) is in what the commands print
        const named = x.evidence.match(/traces_\w+|shop-backend|auth-service|article-service|cart-service|postgres/g) ?? [];
        if (named.length) expect(named.some((t) => seen.includes(t)), `${id}: ${x.evidence}`).toBe(true);
      }
    }
  });

  it.each(['en', 'zh-TW'])('chapters 5 and 6 (%s): every curl works and answers with data', async (lang) => {
    // wait until chapters 5 and 6 pass: then there are searchable traces (a trace is searchable once its ingester
    // has cut it, some seconds after its last span), series and exemplars to show
    for (const ch of [ch5, ch6]) expect(Object.values(await verifyChapter(ch, l.urls)).every((x) => x.status === 'passed')).toBe(true);
    const run = promisify(execFile);
    let traceId = '';
    for (const chapter of ['05-traces', '06-metrics-generator']) {
      const md = readFileSync(join(ROOT, 'chapters', chapter, `lesson.${lang}.md`), 'utf8');
      // a command may go on over lines ending with a backslash
      const commands = md.replace(/ \\\n\s+/g, ' ').split('\n').filter((x) => /^ {4}curl /.test(x)).map((x) => x.trim());
      expect(commands.length, chapter).toBeGreaterThanOrEqual(2);
      for (const c of commands) {
        const cmd = c.replace('http://127.0.0.1:3100', l.urls.tempo).replace('http://127.0.0.1:9090', l.urls.prometheus).replace(/<[^>]+>/, traceId);
        const { stdout } = await run('sh', ['-c', cmd], { timeout: 20_000 });
        const body = JSON.parse(stdout);
        if (cmd.includes('/api/v1/')) {
          expect(body.status, cmd).toBe('success');
          expect(body.data.length ?? body.data.result.length, cmd).toBeGreaterThan(0);
        } else if (cmd.includes('/api/search?') || cmd.includes('/api/search ')) {
          expect(body.traces.length, cmd).toBeGreaterThan(0);
          traceId = body.traces[0].traceID;
        } else if (cmd.includes('/api/traces/')) expect(body.batches.length, cmd).toBeGreaterThan(0);
        else expect(body.tagValues ?? body, cmd).toBeTruthy();
      }
    }
  });

});

describe.skipIf(!found.bin)('real causes, each diagnosed (real Tempo 2.2.2 + real Prometheus 2.42)', () => {
  const labs: Record<string, Lab> = {};
  const traffic: ReturnType<typeof startTraffic>[] = [];
  beforeAll(async () => {
    const [noProcessors, noSendExemplars, wrongUrl, noReceiver, noExemplarStorage] = await Promise.all([
      lab({ tempo: { processors: [] } }),
      lab({ tempo: { sendExemplars: false } }),
      lab({ remoteWrite: 'http://127.0.0.1:9' }), // nothing listens on port 9 (discard) here
      lab({ prometheus: { receiver: false, exemplars: true } }),
      lab({ prometheus: { receiver: true, exemplars: false } }),
    ]);
    Object.assign(labs, { noProcessors, noSendExemplars, wrongUrl, noReceiver, noExemplarStorage });
    for (const l of Object.values(labs)) traffic.push(startTraffic(l.tempo.otlpUrl, { rate: 5 }));
    // the generator collects every second and sends within a second (our test config): give it a few rounds
    await new Promise((r) => setTimeout(r, 8000));
  });
  afterAll(async () => {
    await Promise.all(traffic.map((t) => t.stop()));
    await Promise.all(Object.values(labs).map(stop));
  });

  const series = (l: Lab) => verifyChapter({ ...ch6, checks: ch6.checks.filter((c) => c.id === 'series') }, l.urls, 15_000).then((r) => r.series!);
  const exemplars = (l: Lab) => verifyChapter({ ...ch6, checks: ch6.checks.filter((c) => c.id === 'exemplars') }, l.urls, 15_000).then((r) => r.exemplars!);

  it('no processors in the overrides: the diagnosis names the overrides, at once', async () => {
    const r = await series(labs.noProcessors!);
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: fill(CAUSE.processorsMissing, { processors: 'none' }) });
    expect(r.evidence).toBe('no traces_service_graph_* or traces_spanmetrics_* series written in the last 5 min (processors missing from overrides)');
  });

  it('send_exemplars off: series arrive, the exemplar check names send_exemplars', async () => {
    expect((await series(labs.noSendExemplars!)).status).toBe('passed');
    const r = await exemplars(labs.noSendExemplars!);
    expect(r).toMatchObject({ status: 'failed', hint: CAUSE.sendExemplarsOff });
    expect(r.evidence).toContain('send_exemplars is off');
  });

  it('a wrong remote-write URL: the generator\'s own counters show nothing delivered, and the hint names the URL', async () => {
    const r = await series(labs.wrongUrl!);
    const attempts = /connection refused \((\d+) attempts\)/.exec(r.evidence)?.[1];
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: fill(CAUSE.remoteWriteFails, { url: 'http://127.0.0.1:9/api/v1/write', why: `connection refused (${attempts} attempts)` }) });
    expect(r.evidence).toMatch(/^no traces_service_graph_\* or traces_spanmetrics_\* series written in the last 5 min \(remote write to http:\/\/127\.0\.0\.1:9\/api\/v1\/write fails \(connection refused \(\d+ attempts\)\)\)$/);
  });

  it('Prometheus without the remote-write receiver: the diagnosis names the receiver, at once', async () => {
    const r = await series(labs.noReceiver!);
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: CAUSE.receiverOff });
  });

  it('Prometheus without exemplar storage: series arrive, the exemplar check names exemplar-storage', async () => {
    expect((await series(labs.noExemplarStorage!)).status).toBe('passed');
    const r = await exemplars(labs.noExemplarStorage!);
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: CAUSE.exemplarStorageOff });
  });
});

describe.skipIf(!found.bin)('an empty real Tempo 2.2.2 (no traffic yet)', () => {
  it('answers {} for service names: the traces check says no services yet (the traffic hint), not "is this Tempo?"', async () => {
    const tempo = await startTempo({});
    try {
      const r = (await verifyChapter({ checks: ch5.checks.filter((c) => c.id === 'service-names') }, { tempo: tempo.url }, 1500))['service-names']!;
      expect(r.status).toBe('failed');
      expect(r.evidence).toBe(`service.name values: (none); missing ${SERVICES.join(', ')}`);
      expect(r.hint).toEqual(NO_TRACES_HINT);
    } finally {
      await tempo.stop();
    }
  });
});

