// Chapter 4 on Tempo 3's microservices (the current profile): the write path through Kafka, read from the
// distributor's and the metrics generator's own /metrics, in each state seen on the real lab
// (test/real/current-microservices.test.ts; metric names from grafana/tempo@v3.0.3, see chapters/04-traffic):
// flowing, the broker stopped (spans received, nothing written, connections failing), no traffic at all, the
// generator reading nothing, the generator far behind. The clock is driven: each sleep of the check moves the pages on.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCheck } from '../../scripts/core/engine.js';
import { checks, CONSUMER_LAGGING, CONSUMER_STOPPED, KAFKA_DOWN, LAG_OK_S, NO_SPANS_HINT } from '../../chapters/04-traffic/index.js';
import { getProfile } from '../../scripts/lab/versions.js';
import { testContext, testLab } from '../helpers/context.js';

const check = checks.find((c) => c.id === 'kafka-flow')!;
const received = checks.find((c) => c.id === 'spans-received')!;
let server: Server;
let url = '';
/** what the pages say at each reading: the check reads, sleeps, reads (and, when flat, sleeps and reads again) */
interface Reading { spans: number; written: [number, number]; connectErrors?: number; fetched: number; lag: [number, number] }
let readings: Reading[] = [];
let at = 0;
/** what /status/config says the distributor's process is (none: 404, as a page that is not Tempo's) */
let target: string | undefined;
const distributorPage = (r: Reading) =>
  [`tempo_distributor_spans_received_total{tenant="single-tenant"} ${r.spans}`, `tempo_distributor_kafka_write_bytes_total{partition="partition_0"} ${r.written[0]}`, `tempo_distributor_kafka_write_bytes_total{partition="partition_1"} ${r.written[1]}`, ...(r.connectErrors ? [`tempo_distributor_connect_errors_total{node_id="1"} ${r.connectErrors}`] : [])].join('\n') + '\n';
const generatorPage = (r: Reading) =>
  [`tempo_ingest_storage_reader_fetch_records_total{component="generator"} ${r.fetched}`, `tempo_ingest_group_partition_lag_seconds{group="metrics-generator",partition="0"} ${r.lag[0]}`, `tempo_ingest_group_partition_lag_seconds{group="metrics-generator",partition="1"} ${r.lag[1]}`].join('\n') + '\n';

beforeAll(async () => {
  // one server stands for both: the distributor's page has no generator lines and the other way round, as on the real lab
  server = createServer((req, res) => {
    const r = readings[Math.min(at, readings.length - 1)]!;
    if (req.url === '/status/config' && target) return void res.writeHead(200, { 'content-type': 'text/plain' }).end(`target: ${target}\n`);
    res.writeHead(req.url === '/metrics' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(req.url === '/metrics' ? distributorPage(r) + generatorPage(r) : 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function run(seq: Reading[], which = check) {
  readings = seq;
  at = 0;
  let now = Date.now();
  const clock = { now: () => now, sleep: async (ms: number) => void ((now += ms), at++) };
  const ctx = await testContext(testLab({ profile: getProfile('current'), embedded: 'microservices', urls: { tempo: url, distributor: url }, embeddedGenerator: url, timeoutMs: 1 }), { clock });
  return executeCheck(which, ctx);
}

describe('Tempo 3\'s write path through Kafka, read from the distributor and the metrics generator', () => {
  it('flowing: writes to both partitions, the generator reading with a lag of a twentieth of a second', async () => {
    const r = await run([
      { spans: 824, written: [241480, 176938], fetched: 123, lag: [0.053, 0.055] },
      { spans: 830, written: [243000, 178000], fetched: 125, lag: [0.054, 0.058] },
    ]);
    expect(r).toMatchObject({ status: 'passed', evidence: 'in 2 s: 6 spans received, 2582 bytes written to Kafka (partition_0 +1520, partition_1 +1062); the metrics generator read 2 records; its lag as it read them: partition 0 0.05 s, partition 1 0.06 s' });
  });

  it('the broker stopped: spans still received, nothing written, connections failing: named at once, final', async () => {
    // as the real lab showed it after `workbook lab stop kafka`: spans_received 844 → 847, write bytes flat, connect errors 2 → 3
    const r = await run([
      { spans: 844, written: [245595, 178789], connectErrors: 2, fetched: 125, lag: [0.054, 0.058] },
      { spans: 845, written: [245595, 178789], connectErrors: 2, fetched: 125, lag: [0.054, 0.058] },
      { spans: 847, written: [245595, 178789], connectErrors: 3, fetched: 125, lag: [0.054, 0.058] },
    ]);
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: KAFKA_DOWN });
    expect(r.evidence).toBe('in 10 s: 3 spans received, 0 bytes written to Kafka (partition_0 +0, partition_1 +0); 1 failed connections to Kafka (tempo_distributor_connect_errors_total): Kafka takes no writes');
  });

  it('the broker stopped: "receiving spans and Tempo keeps them" does not pass on spans Tempo 3 cannot keep', async () => {
    const down = (spans: number, errors: number): Reading => ({ spans, written: [245595, 178789], connectErrors: errors, fetched: 125, lag: [0.054, 0.058] });
    const r = await run([down(844, 2), down(845, 2), down(847, 3)], received);
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: KAFKA_DOWN });
    expect(r.evidence).toBe('tempo_distributor_spans_received_total 844 → 847 in 10 s, but tempo_distributor_kafka_write_bytes_total 424384 → 424384: received, not kept (Tempo 3 keeps what Kafka takes)');
    // spans that only arrive in the longer watch (the traffic slowed by the failing writes, as on the real lab) are not kept either
    const late = await run([down(1034, 2), down(1034, 2), down(1044, 3)], received);
    expect(late).toMatchObject({ status: 'failed', hint: KAFKA_DOWN });
    expect(late.evidence).toBe('tempo_distributor_spans_received_total 1034 → 1044 in 10 s, but tempo_distributor_kafka_write_bytes_total 424384 → 424384: received, not kept (Tempo 3 keeps what Kafka takes)');
    // and with Kafka taking them, it passes as before
    const up = await run([{ spans: 824, written: [241480, 176938], fetched: 123, lag: [0.05, 0.05] }, { spans: 830, written: [243000, 178000], fetched: 125, lag: [0.05, 0.05] }], received);
    expect(up).toMatchObject({ status: 'passed', evidence: 'tempo_distributor_spans_received_total 824 → 830 in 2 s (+6), none discarded' });
  });

  it('one Tempo 3 process (target all) writes to no Kafka: spans received pass as kept, read from its /status/config', async () => {
    target = 'all';
    const one = (spans: number): Reading => ({ spans, written: [0, 0], fetched: 0, lag: [0, 0] });
    const r = await run([one(100), one(130)], received);
    target = undefined;
    expect(r).toMatchObject({ status: 'passed', evidence: 'tempo_distributor_spans_received_total 100 → 130 in 2 s (+30), none discarded' });
  });

  it('no traffic at all: said as such, not blamed on Kafka', async () => {
    const flat = { spans: 900, written: [250000, 180000] as [number, number], fetched: 130, lag: [0.05, 0.05] as [number, number] };
    const r = await run([flat, flat, flat]);
    expect(r.status).toBe('failed');
    expect(r.hint).toEqual(NO_SPANS_HINT);
    expect(r.evidence).toMatch(/^in 10 s: 0 spans received, 0 bytes written to Kafka .*: no traffic reached the distributor$/);
  });

  it('Kafka takes the writes, the generator reads none: the stale small lag it last set does not pass', async () => {
    const r = await run([
      { spans: 900, written: [250000, 180000], fetched: 130, lag: [0.05, 0.05] },
      { spans: 905, written: [251000, 181000], fetched: 130, lag: [0.05, 0.05] },
      { spans: 910, written: [252000, 182000], fetched: 130, lag: [0.05, 0.05] },
    ]);
    expect(r.status).toBe('failed');
    expect(r.hint).toEqual(CONSUMER_STOPPED);
    expect(r.evidence).toContain('the metrics generator read 0 records');
  });

  it(`the generator reading, but more than ${LAG_OK_S} s behind on one partition`, async () => {
    const r = await run([
      { spans: 900, written: [250000, 180000], fetched: 130, lag: [0.05, 95] },
      { spans: 905, written: [251000, 181000], fetched: 140, lag: [0.05, 94] },
    ]);
    expect(r.status).toBe('failed');
    expect(r.hint).toEqual(CONSUMER_LAGGING);
    expect(r.evidence).toMatch(/its lag as it read them: partition 0 0\.05 s, partition 1 94 s \(more than 30 s behind\)$/);
  });

  it('is Tempo 3\'s: not applicable on the article\'s Tempo 2', async () => {
    const ctx = await testContext(testLab({ profile: getProfile('article'), embedded: 'microservices', urls: { tempo: url, distributor: url } }));
    expect((await executeCheck(check, ctx)).status).toBe('not-applicable');
  });
});
