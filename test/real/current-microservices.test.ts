// Tempo 3's microservices on the embedded lab (issue: Tempo 3), as tempo-distributed 3.3.0 deploys them: a real
// Apache Kafka 4.4.0 broker from Maven Central (KRaft, one node, on loopback; test/setup/ensure-kafka.sh fetches its
// jars) and ten Tempo 3.0.3 processes (distributor, two live-stores, two block-builders, query-frontend, querier,
// backend scheduler and worker, metrics generator), each with the chart's render localised. Chapters 3 (the
// live-store ring), 5, 6 and 9 pass; a live-store stopped is named; `lab down` leaves no process, the broker included.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, ROOT, runCli } from '../helpers/fakes.js';
import { embeddedWorld, stateOf } from '../helpers/embedded.js';
import { tempo3Binary } from '../helpers/real-tempo.js';
import { prometheus3Binary } from '../helpers/prometheus.js';
import { MICROSERVICES_3 } from '../../scripts/lab/embedded-config.js';

const found = tempo3Binary();
// the Prometheus the profile runs (3.14.0), built from the Go module proxy; else Debian's, said once
const prom3 = prometheus3Binary();
if (prom3.why) console.log(prom3.why);
const KAFKA = process.env.WORKBOOK_KAFKA_LIB ?? join(ROOT, 'dist/kafka-lib');
const kafka = existsSync(join(KAFKA, '.complete')) || !!process.env.WORKBOOK_KAFKA_LIB;
if (!found.bin || !kafka) console.log(`Tempo 3 microservices tests skipped: ${found.why ?? `no Kafka jars at ${KAFKA} (test/setup/ensure-kafka.sh)`}`);
const { env, tmp, cleanup } = embeddedWorld('wb-current-micro-');
afterAll(cleanup);

describe.skipIf(!found.bin || !kafka)('the current profile\'s microservices: Tempo 3.0.3 with a real Kafka broker', () => {
  it('lab up --profile current --microservices: ten Tempo processes and a broker; chapters 5, 6 and 9 pass; down leaves nothing', async () => {
    const d = tmp();
    const e = { ...env(), WORKBOOK_KAFKA_LIB: KAFKA };
    const t0 = Date.now();
    const up = await runCli(['lab', 'up', '--profile', 'current', '--microservices', '--state-dir', d, '--tempo-bin', found.bin!, ...prom3.args], e, { timeoutMs: 300_000 });
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const readyMs = Date.now() - t0;
    const state = stateOf(d);
    expect(state.processes.map((p) => p.name)).toEqual(['prometheus', 'kafka', ...MICROSERVICES_3.map((n) => `tempo-${n}`), 'traffic']);
    const v = await runCli(['verify', 'all', '--profile', 'current', '--state-dir', d, '--timeout', '180s', '--json', join(d, 'r.json')], e, { timeoutMs: 400_000 });
    const report = JSON.parse((await import('node:fs')).readFileSync(join(d, 'r.json'), 'utf8'));
    const states = Object.fromEntries(report.chapters.map((c: { id: string; state: string }) => [c.id, c.state]));
    expect(states, v.stdout).toMatchObject({ traffic: 'passed', traces: 'passed', 'metrics-generator': 'passed', 'what-changed': 'passed' });
    // chapter 4 on Tempo 3: the writes go through Kafka now, and the metrics generator reads them with a small lag
    const flow = report.chapters.find((c: { id: string }) => c.id === 'traffic').items.find((i: { id: string }) => i.id === 'kafka-flow');
    expect(flow.status, flow.evidence).toBe('passed');
    // (the partitions written so far: a fresh lab's first seconds may have written to one only)
    expect(flow.evidence).toMatch(/^in \d+ s: \d+ spans received, [1-9]\d* bytes written to Kafka \(partition_\d \+\d+(, partition_\d \+\d+)*\); the metrics generator read [1-9]\d* records; its lag as it read them: partition \d [\d.]+ s(, partition \d [\d.]+ s)*$/);
    console.log(`current profile, microservices: lab up ${(readyMs / 1000).toFixed(1)} s (a write taken), chapters passing ${(report.durationMs / 1000).toFixed(1)} s after`);
    // chapter 3 on Tempo 3: the live-store ring, one member per partition; a live-store stopped is named, at once
    // once its heartbeat is old, the way an ingester is on the article's lab
    const ring = report.chapters.find((c: { id: string }) => c.id === 'tempo').items.find((i: { id: string }) => i.id === 'live-store-ring');
    expect(ring, v.stdout).toMatchObject({ status: 'passed', evidence: '2 of 2 ACTIVE and heartbeating (live-store-0, live-store-1)' });
    const partitions = report.chapters.find((c: { id: string }) => c.id === 'tempo').items.find((i: { id: string }) => i.id === 'partition-ring');
    expect(partitions.status, partitions.evidence).toBe('passed');
    expect(partitions.evidence).toMatch(/^partition 0 Active, owner live-store-0, \d+ bytes written; partition 1 Active, owner live-store-1, \d+ bytes written$/);
    expect((await runCli(['lab', 'stop', 'tempo-live-store-1', '--state-dir', d], e)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 25_000));
    const t1 = Date.now();
    const named = await runCli(['verify', 'tempo', '--profile', 'current', '--state-dir', d, '--json', join(d, 'r3.json')], e, { timeoutMs: 300_000 });
    const namedMs = Date.now() - t1;
    const item = JSON.parse((await import('node:fs')).readFileSync(join(d, 'r3.json'), 'utf8')).chapters[0].items.find((i: { id: string }) => i.id === 'live-store-ring');
    expect(item.status, named.stdout).toBe('failed');
    expect(item.evidence).toMatch(/^1 of 2 ACTIVE and heartbeating \(live-store-0\); live-store-1 not heartbeating for \d+ s/);
    expect(item.hint.en).toMatch(/^A live-store owns its Kafka partition alone/);
    expect(item.hint.en).toContain('workbook lab start tempo-live-store-1');
    expect(namedMs).toBeLessThan(60_000);
    console.log(`current profile, microservices: a live-store stopped named in ${(namedMs / 1000).toFixed(1)} s (25 s after the stop)`);
    // the broker stopped: chapter 4 names it (spans received, nothing written, connections failing), and the
    // "receiving spans and Tempo keeps them" check does not pass on spans Tempo 3 cannot keep
    expect((await runCli(['lab', 'stop', 'kafka', '--state-dir', d], e)).code).toBe(0);
    const t2 = Date.now();
    const k = await runCli(['verify', 'traffic', '--state-dir', d, '--json', join(d, 'r4.json')], e, { timeoutMs: 300_000 });
    const kafkaMs = Date.now() - t2;
    const items4 = JSON.parse((await import('node:fs')).readFileSync(join(d, 'r4.json'), 'utf8')).chapters[0].items;
    const byId = (id: string) => items4.find((i: { id: string }) => i.id === id);
    expect(byId('kafka-flow').status, k.stdout).toBe('failed');
    expect(byId('kafka-flow').evidence).toMatch(/0 bytes written to Kafka .*Kafka takes no writes$/);
    expect(byId('kafka-flow').hint.en).toContain('workbook lab start kafka');
    expect(byId('spans-received').status, byId('spans-received').evidence).not.toBe('passed');
    console.log(`current profile, microservices: the broker stopped named in ${(kafkaMs / 1000).toFixed(1)} s`);
    const down = await runCli(['lab', 'down', '--state-dir', d], e, { timeoutMs: 120_000 });
    expect(down.code).toBe(0);
    for (const p of state.processes) expect([p.name, alive(p.pid)]).toEqual([p.name, false]);
  }, 900_000);
});
