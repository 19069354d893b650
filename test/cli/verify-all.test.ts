// `workbook verify all` end to end: fake tools for docker/kind/kubectl/helm, a REAL Prometheus holding the
// generator's data, and the Tempo and Grafana contract servers, all on 127.0.0.1; reports in JSON and JUnit.
import { CATALOG } from '../../scripts/core/catalog.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { goodMachine, labKubectl } from '../helpers/scenarios.js';
import { startPrometheus, type RealPrometheus } from '../helpers/prometheus.js';
import { startTempoServer, type TempoServer } from '../helpers/tempo-server.js';
import { startGrafanaServer, type GrafanaServer } from '../helpers/grafana-server.js';
import { remoteWrite } from '../helpers/remote-write.js';
import { generatorSeries } from '../helpers/generator-data.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { REPORT_SCHEMA } from '../../scripts/ui/report.js';

let prom: RealPrometheus;
let promNoExemplars: RealPrometheus;
let tempo: TempoServer;
let grafana: GrafanaServer;
let world: FakeWorld;

beforeAll(async () => {
  [prom, promNoExemplars, tempo] = await Promise.all([startPrometheus({ receiver: true, exemplars: true }), startPrometheus({ receiver: true, exemplars: false }), startTempoServer()]);
  grafana = await startGrafanaServer({ tempoUpstream: tempo.url, password: 'from-the-secret' });
  await remoteWrite(prom.url, generatorSeries());
  await remoteWrite(promNoExemplars.url, generatorSeries());
  world = new FakeWorld(goodMachine({ kubectl: labKubectl('from-the-secret') }));
});
afterAll(async () => {
  await Promise.all([prom?.stop(), promNoExemplars?.stop(), tempo?.close(), grafana?.close()]);
  world?.cleanup();
});

async function verifyAll(prometheusUrl: string, name: string) {
  const ports = `grafana=${await freePort()},prometheus=${await freePort()},tempo=${await freePort()}`;
  const json = join(world.dir, `${name}.json`);
  const junit = join(world.dir, `${name}.xml`);
  const r = await runCli(['verify', 'all', '--prometheus-url', prometheusUrl, '--tempo-url', tempo.url, '--grafana-url', grafana.url, '--timeout', '3s', '--json', json, '--junit', junit], world.env({ CI: 'true', WORKBOOK_PORTS: ports }), { timeoutMs: 120_000 });
  return { r, report: JSON.parse(readFileSync(json, 'utf8')), junit: readFileSync(junit, 'utf8') };
}

describe('workbook verify all --json --junit', () => {
  it('a healthy lab: every check of chapters 0–7 passes, exit 0, one testcase per check', async () => {
    const { r, report, junit } = await verifyAll(prom.url, 'good');
    expect(r.code, r.stdout).toBe(0);
    expect(report).toMatchObject({ schema: REPORT_SCHEMA, mode: 'verify', profile: 'article', passed: true, summary: { failed: 0, warned: 0 } });
    expect(report.chapters.map((c: { id: string }) => c.id)).toEqual(CATALOG.filter((c) => c.role !== 'teardown').map((c) => c.id));
    const items = report.chapters.flatMap((c: { items: unknown[] }) => c.items) as { id: string; kind: string; status: string; durationMs: number; evidence: string }[];
    const checks = CATALOG.filter((c) => c.role !== 'teardown').reduce((n, c) => n + c.checks.length, 0);
    expect(items).toHaveLength(checks);
    // with --tempo-url, the checks that can only ask the cluster about Tempo's pods do not apply: not failed, not passed
    // and Tempo 3's checks (chapter 9) do not apply to the article's Tempo 2
    const tempo3 = CATALOG.flatMap((c) => c.checks.filter((k) => k.tempo === 3).map((k) => k.id));
    expect(items.filter((i) => i.status === 'not-applicable').map((i) => i.id).sort()).toEqual(['pods', 'generator-running', ...tempo3].sort());
    expect((junit.match(/<skipped message="not-applicable: asks the cluster \(kubectl\); not applicable because --tempo-url names the endpoint directly"\/>/g) ?? []).length).toBe(2);
    for (const i of items.filter((x) => x.status !== 'not-applicable')) {
      expect(i.kind).toBe('check');
      expect([i.id, i.status]).toEqual([i.id, 'passed']);
      expect(i.evidence.length).toBeGreaterThan(0);
    }
    const tempo3Only = (id: string) => CATALOG.find((c) => c.id === id)!.checks.every((k) => k.tempo === 3);
    for (const c of report.chapters) expect([c.id, c.state, c.passed]).toEqual(tempo3Only(c.id) ? [c.id, 'not-applicable', false] : [c.id, 'passed', true]);
    expect((junit.match(/<testcase /g) ?? []).length).toBe(checks);
    expect(junit).not.toContain('<failure');
  });

  it('Prometheus without exemplar storage: exit 1; the failures carry evidence, hint and the real error', async () => {
    const { r, report, junit } = await verifyAll(promNoExemplars.url, 'bad');
    expect(r.code).toBe(1);
    expect(report.passed).toBe(false);
    const failed = report.chapters.flatMap((c: { id: string; items: { id: string; status: string }[] }) => c.items.filter((i) => i.status === 'failed').map((i) => ({ chapter: c.id, ...i })));
    expect(failed.map((f: { chapter: string; id: string }) => `${f.chapter}/${f.id}`)).toEqual(['prometheus/exemplar-storage', 'metrics-generator/exemplars']);
    // exemplar-to-trace follows the exemplars: blocked, naming them, never a second failure of its own
    const follow = report.chapters.flatMap((c: { items: { id: string; status: string; evidence: string }[] }) => c.items).find((i: { id: string }) => i.id === 'exemplar-to-trace');
    expect(follow.status).toBe('blocked');
    expect(follow.evidence).toMatch(/^needs metrics-generator\/exemplars \(chapter 6\), which failed: /);
    const ex = failed.find((f: { id: string }) => f.id === 'exemplar-storage');
    expect(ex).toMatchObject({ evidence: 'enable-feature=(none)', error: 'enable-feature=(none)' });
    expect(ex.hint.en).toContain('no trace links');
    expect(ex.hint['zh-TW']).toContain('exemplar');
    expect((junit.match(/<failure /g) ?? []).length).toBe(failed.length);
    expect(junit).toContain('<failure message="enable-feature=(none)">enable-feature=(none)\nhint: Without exemplar storage');
  });
});
