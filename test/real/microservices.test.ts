// Tempo in microservices mode, for real: the 2.2.2 binary as one process per component on 127.0.0.1 (distributor,
// three ingesters with replication factor 3, query-frontend, querier, compactor, metrics-generator; memberlist on
// loopback; one shared local backend), its generator remote-writing into a real Prometheus. The workbook verifies
// it through --tempo-url (query-frontend) and --distributor-url, and the article's replication claims are shown:
// one ingester down, writes go on; two down, quorum is lost and writes fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chapter as ch3 } from '../../chapters/03-tempo/index.js';
import { chapter as ch4 } from '../../chapters/04-traffic/index.js';
import { chapter as ch5 } from '../../chapters/05-traces/index.js';
import { chapter as ch6 } from '../../chapters/06-metrics-generator/index.js';
import { RING_DEGRADED, RING_QUORUM_LOST } from '../../scripts/lab/tempo.js';
import { buildTrace } from '../../scripts/lab/traffic.js';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { startPrometheus, type RealPrometheus } from '../helpers/prometheus.js';
import { startTempoMicroservices, tempoBinary, waitRing, type RealTempo } from '../helpers/real-tempo.js';
import { startTraffic, statuses, verifyChapter } from '../helpers/real-lab.js';

const found = tempoBinary();
if (!found.bin) console.log(`real Tempo (microservices) tests skipped: ${found.why}`);

async function pushOne(otlpUrl: string, i: number): Promise<{ status: number; body: string; traceId: string }> {
  const { traceId, body } = buildTrace(i, Date.now());
  const r = await fetch(`${otlpUrl}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.text(), traceId };
}

describe.skipIf(!found.bin)('a real microservices Tempo 2.2.2', () => {
  let prom: RealPrometheus;
  let tempo: RealTempo;
  let traffic: ReturnType<typeof startTraffic>;
  let urls: { tempo: string; distributor: string; prometheus: string };
  beforeAll(async () => {
    prom = await startPrometheus({ receiver: true, exemplars: true });
    tempo = await startTempoMicroservices({ remoteWrite: prom.url });
    urls = { tempo: tempo.url, distributor: tempo.distributorUrl, prometheus: prom.url };
    traffic = startTraffic(tempo.otlpUrl, { rate: 10 });
  });
  afterAll(async () => {
    await traffic?.stop();
    await Promise.all([tempo?.stop(), prom?.stop()]);
  });

  it('--tempo-url alone at the query-frontend: the ring is not there (404), and the check says where it looked', async () => {
    const r = await verifyChapter({ ...ch3, checks: ch3.checks.filter((c) => c.id === 'ingester-ring') }, { tempo: tempo.url });
    expect(r['ingester-ring']).toMatchObject({ status: 'failed' });
    expect(r['ingester-ring']!.evidence).toMatch(/^GET \/ingester\/ring → 404 on http:\/\/127\.0\.0\.1:\d+ \(its \/status\/config says target: query-frontend\)$/);
  });

  it('workbook verify tempo --tempo-url <query-frontend> --distributor-url <distributor>: ring, ready and config pass; pods skipped', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['verify', 'tempo', '--tempo-url', tempo.url, '--distributor-url', tempo.distributorUrl, '--json', `${world.dir}/r.json`], world.env({ CI: 'true' }));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const report = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(`${world.dir}/r.json`, 'utf8')));
      const items = Object.fromEntries(report.chapters[0].items.map((i: { id: string; status: string; evidence: string }) => [i.id, [i.status, i.evidence]]));
      expect(items.pods).toEqual(['not-applicable', 'asks the cluster (kubectl); not applicable because --tempo-url names the endpoint directly']);
      expect(items.ready).toEqual(['passed', 'GET /ready → 200 ready (Tempo 2.2.2)']);
      expect(items['ingester-ring']).toEqual(['passed', '3/3 ingesters ACTIVE and heartbeating (replication_factor 3, writes need 2)']);
      expect(items['block-retention']).toEqual(['passed', 'compactor.compaction.block_retention: 48h0m0s']);
      expect(world.calls()).toEqual([]); // no kubectl: explicit endpoints only
    } finally {
      world.cleanup();
    }
  });

  it('chapters 4–6 pass against it', async () => {
    const r4 = await verifyChapter(ch4, urls);
    // Tempo 3's checks (the Kafka path) do not apply to Tempo 2 (derived: check.tempo === 3)
    expect(statuses(r4)).toEqual({ 'generator-running': 'not-applicable', 'spans-received': 'passed', ...Object.fromEntries(ch4.checks.filter((c) => c.tempo === 3).map((c) => [c.id, 'not-applicable'])) });
    const r5 = await verifyChapter(ch5, urls);
    for (const [id, x] of Object.entries(r5)) expect(x.status, `${id}: ${x.evidence}`).toBe('passed');
    const r6 = await verifyChapter(ch6, urls);
    for (const [id, x] of Object.entries(r6)) expect(x.status, `${id}: ${x.evidence}\n${x.details ?? ''}`).toBe('passed');
  });

  it('one ingester down: the ring check names it, writes still succeed (2 of 3), and the new trace is found', async () => {
    await tempo.kill('ingester-2');
    await waitRing(tempo.distributorUrl, ['ingester-2'], 30_000, 'UNHEALTHY');
    const ring = (await verifyChapter({ ...ch3, checks: ch3.checks.filter((c) => c.id === 'ingester-ring') }, urls))['ingester-ring']!;
    expect(ring.status).toBe('failed');
    expect(ring.evidence).toMatch(/^2\/3 ingesters ACTIVE and heartbeating; cannot take writes: ingester-2 UNHEALTHY \(last heartbeat \d+ s ago\) \(replication_factor 3, writes need 2\)$/);
    expect(ring.hint!.en).toBe(RING_DEGRADED.en.replace('{left}', ring.evidence.match(/ingester-2 UNHEALTHY \(last heartbeat \d+ s ago\)/)![0]).replaceAll('{rf}', '3').replaceAll('{quorum}', '2').replace('{active}', '2'));
    const pushed = await pushOne(tempo.otlpUrl, 0);
    expect(pushed.status, pushed.body).toBe(200);
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await fetch(`${tempo.url}/api/traces/${pushed.traceId}`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    const r4 = await verifyChapter(ch4, urls);
    expect(r4['spans-received']!.status, r4['spans-received']!.evidence).toBe('passed');
  });

  it('two ingesters down: quorum lost, the distributor refuses writes, and both checks say why', async () => {
    await tempo.kill('ingester-1');
    await waitRing(tempo.distributorUrl, ['ingester-1', 'ingester-2'], 30_000, 'UNHEALTHY');
    const pushed = await pushOne(tempo.otlpUrl, 1);
    expect(pushed.status).toBe(500);
    expect(pushed.body).toContain('at least 2 live replicas required, could only find 1');
    const ring = (await verifyChapter({ ...ch3, checks: ch3.checks.filter((c) => c.id === 'ingester-ring') }, urls))['ingester-ring']!;
    expect(ring.evidence).toMatch(/^1\/3 ingesters ACTIVE and heartbeating; cannot take writes: ingester-1 UNHEALTHY \(last heartbeat \d+ s ago\), ingester-2 UNHEALTHY/);
    expect(ring.hint!.en).toContain('Quorum lost: only 1 of 3 ingesters are ACTIVE and heartbeating');
    expect(ring.hint!.en).toContain('"at least 2 live replicas required"');
    expect(RING_QUORUM_LOST.en).toContain('{quorum}');
    const spans = (await verifyChapter(ch4, urls))['spans-received']!;
    expect(spans.status).toBe('failed');
    expect(spans.evidence).toMatch(/but \d+ discarded \(tempo_discarded_spans_total by reason: internal_error \+\d+\): writes fail, quorum lost; ring: 1\/3 ingesters ACTIVE and heartbeating/);
    expect(spans.hint!.en).toContain('Quorum lost: only 1 of 3 ingesters are ACTIVE and heartbeating');
  });
});
