// Tempo today (issue: Tempo 3), on the real Tempo 3.0.3 (../shared/bin, built from the v3.0.3 tag) and Debian's
// Prometheus: `lab up --profile current` runs Tempo 3 as one process with the configuration tempo-distributed 3.3.0
// renders from manifests/current/tempo-distributed.values.yaml (committed in manifests/rendered/), localised as the
// article's is; chapters 2–6 pass (the ingester ring does not apply: Tempo 3 has none), retention is read where
// Tempo 3 keeps it; its microservices layout (Kafka) is refused in one line before anything starts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/fakes.js';
import { embeddedWorld, stateOf } from '../helpers/embedded.js';
import { tempo3Binary } from '../helpers/real-tempo.js';
import { prometheus3Binary } from '../helpers/prometheus.js';
import { z } from 'zod';
import { EXERCISES } from '../../scripts/lab/exercises.js';
import { SERVICES } from '../../scripts/lab/shop.js';

const found = tempo3Binary();
// the Prometheus the profile runs (3.14.0), built from the Go module proxy; else Debian's, said once
const prom3 = prometheus3Binary();
if (prom3.why) console.log(prom3.why);
if (!found.bin) console.log(`current profile tests skipped: ${found.why}`);
const { env, tmp, cleanup } = embeddedWorld('wb-current-');
afterAll(cleanup);

describe.skipIf(!found.bin)('the current profile: Tempo 3.0.3 on the embedded lab', () => {
  it('lab up --profile current: the chart 3.3.0 render, localised; chapters 2–6 pass; --microservices refused', async () => {
    const d = tmp();
    const t0 = Date.now();
    const up = await runCli(['lab', 'up', '--profile', 'current', '--state-dir', d, '--tempo-bin', found.bin!, ...prom3.args], env(), { timeoutMs: 180_000 });
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const readyMs = Date.now() - t0;
    expect(stateOf(d).profile).toBe('current');
    // the Prometheus the profile's chart runs, when it was built here: it says so itself
    if (prom3.bin) {
      const info = z.object({ data: z.object({ version: z.string() }) }).parse(await (await fetch(`${stateOf(d).urls.prometheus}/api/v1/status/buildinfo`)).json());
      expect(info.data.version).toBe('3.14.0');
    }
    // the config Tempo 3 runs: Tempo 3's blocks, no ingester or compactor, no Kafka for one process
    const config = readFileSync(join(d, 'lab', 'tempo', 'all.yaml'), 'utf8');
    expect(config).toMatch(/^live_store:/m);
    expect(config).toMatch(/^backend_worker:/m);
    expect(config).not.toMatch(/^(ingester|compactor|ingest):/m);
    const json = join(d, 'r.json');
    // no --profile: the lab's own (recorded by `lab up --profile current`) is the one every command speaks of
    const v = await runCli(['verify', 'all', '--state-dir', d, '--timeout', '150s', '--json', json], env(), { timeoutMs: 300_000 });
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.profile).toBe('current');
    const states = Object.fromEntries(report.chapters.map((c: { id: string; state: string }) => [c.id, c.state]));
    expect(states, v.stdout).toMatchObject({ prometheus: 'passed', tempo: 'passed', traffic: 'passed', traces: 'passed', 'metrics-generator': 'passed' });
    const tempo = report.chapters.find((c: { id: string }) => c.id === 'tempo').items;
    expect(tempo.find((i: { id: string }) => i.id === 'block-retention').evidence).toBe('backend_worker.compaction.block_retention: 48h0m0s');
    expect(tempo.find((i: { id: string }) => i.id === 'ingester-ring').status).toBe('not-applicable');
    console.log(`current profile: lab up ${(readyMs / 1000).toFixed(1)} s, chapters 2–6 passing ${(report.durationMs / 1000).toFixed(1)} s after`);

    // chapter 9: each claim proved on the running lab (and not applicable on the article's profile)
    const json9 = join(d, 'r9.json');
    const v9 = await runCli(['verify', 'what-changed', '--profile', 'current', '--state-dir', d, '--timeout', '150s', '--json', json9], env(), { timeoutMs: 300_000 });
    const ch9 = JSON.parse(readFileSync(json9, 'utf8')).chapters[0];
    expect(ch9.state, v9.stdout).toBe('passed');
    const item = (id: string) => ch9.items.find((i: { id: string }) => i.id === id).evidence as string;
    expect(item('no-ingester-ring')).toMatch(/^GET \/ingester\/ring → 404; GET \/live-store\/ring → 200, 1 of 1 ACTIVE/);
    expect(item('block-written')).toMatch(/^tempo_live_store_blocks_completed_total [1-9]\d*$/);
    for (const s of SERVICES) expect(item('traceql-metrics')).toContain(`${s} `);
    const article = await runCli(['verify', 'what-changed', '--profile', 'article', '--state-dir', d], env(), { timeoutMs: 60_000 });
    expect(article.stdout).toMatch(/not applicable: 0\/4 passed \(4 not applicable\)/);

    // its exercises, TraceQL metrics graded on the answers: the answer and another right query pass; a wrong one
    // fails with its first hint, which gives nothing of the answer away; the lucky one is graded wrong
    const grade = (id: string, q: string) => runCli(['exercise', id, '--profile', 'current', '--state-dir', d, '--query', q], env(), { timeoutMs: 120_000 });
    const WRONG: Record<string, string> = {
      'spans-per-service': '{ } | rate()',
      'errors-per-service': '{ } | rate() by (resource.service.name)',
      'p95-per-service': '{ } | quantile_over_time(duration, .5) by (resource.service.name)',
    };
    for (const ex of EXERCISES.filter((e) => e.tempo === 3)) {
      for (const q of [ex.answer, ex.another]) {
        const r = await grade(ex.id, q);
        expect([ex.id, q, r.code], r.stdout + r.stderr).toEqual([ex.id, q, 0]);
        expect(r.stdout).toMatch(/✔ right: /);
      }
      const w = await grade(ex.id, WRONG[ex.id]!);
      expect([ex.id, w.code], w.stdout + w.stderr).toEqual([ex.id, 1]);
      expect(w.stdout).toContain(`hint: ${ex.lookAt.en.slice(0, 40)}`);
    }
    const lucky = await grade('errors-per-service', '{ resource.service.name = "shop-backend" && status = error } | rate() by (resource.service.name)');
    expect(lucky.code, lucky.stdout).toBe(1);
    expect(lucky.stdout).toContain('but by luck of this lab\'s data');
    // the shop's traffic speaks xk6-client-tracing v0.0.10's names here: the 403 is span.http.response.status_code,
    // and the article's span.http.status_code finds nothing (graded wrong, with the hint that names the new attribute)
    const renamed = await grade('find-forbidden', '{ span.http.response.status_code = 403 }');
    expect(renamed.code, renamed.stdout + renamed.stderr).toBe(0);
    const old = await grade('find-forbidden', '{ span.http.status_code = 403 }');
    expect(old.code, old.stdout).toBe(1);
    expect(old.stdout).toContain('your query found no trace');
    const shown = await runCli(['exercise', 'find-forbidden', '--show-answer', '--state-dir', d], env());
    expect(shown.stdout).toContain('{ span.http.response.status_code = 403 }');
    // on the article's profile they are refused in one line
    const refused = await runCli(['exercise', 'errors-per-service', '--profile', 'article', '--state-dir', d, '--query', 'x'], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('errors-per-service asks Tempo 3 (TraceQL metrics): run it on the current profile');

    // its microservices layout needs Kafka's jars: a folder named that holds none is one line before anything starts
    const empty = tmp();
    const micro = await runCli(['lab', 'up', '--profile', 'current', '--microservices', '--state-dir', tmp()], { ...env(), WORKBOOK_KAFKA_LIB: empty });
    expect(micro.code).toBe(2);
    expect(micro.stderr.trim()).toBe(`error: WORKBOOK_KAFKA_LIB=${empty} holds no kafka_2.13 jar: give the folder of org.apache.kafka:kafka_2.13 and its dependencies, or unset it and the lab downloads the pinned set`);
  }, 600_000);
});
