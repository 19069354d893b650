// The embedded lab, end to end through the CLI, on the real binaries (the Tempo 2.2.2 in ../shared/bin and
// Debian's prometheus): `lab up` → chapters 2–6 pass with no URL given (1 and 7 do not apply) → `lab down`
// leaves no process and no port. Microservices: the ring has 3 ACTIVE, then one ingester killed is named.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, runCli, alive } from '../helpers/fakes.js';
import { embeddedWorld, stateOf, tempoBin, whyNoTempo } from '../helpers/embedded.js';
import { waitStale } from '../helpers/fault-matrix.js';

if (!tempoBin) console.log(`embedded lab tests skipped: ${whyNoTempo}`);
const { world, env, cleanup } = embeddedWorld('wb-embedded-');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await runCli(['lab', 'down', '--state-dir', d], env());
  await cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
async function closed(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

describe.skipIf(!tempoBin)('the embedded lab (real Tempo 2.2.2 and Prometheus on 127.0.0.1)', () => {
  it('monolithic: up, adopted when up again, chapters 2–6 pass with no URL, 1 and 7 do not apply; down leaves nothing', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wb-embedded-'));
    dirs.push(d);
    const up = await runCli(['lab', 'up', '--state-dir', d, '--tempo-bin', tempoBin!], env(), { timeoutMs: 180_000 });
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const state = stateOf(d);
    expect(state.processes.map((p) => p.name)).toEqual(['prometheus', 'tempo', 'traffic']);
    for (const url of Object.values(state.urls)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // a second up finds it running and keeps it
    const again = await runCli(['lab', 'up', '--state-dir', d, '--tempo-bin', tempoBin!], env(), { timeoutMs: 60_000 });
    expect(again.stdout).toContain('The embedded lab is already up; nothing was started.');
    expect(stateOf(d).processes.map((p) => p.pid)).toEqual(state.processes.map((p) => p.pid));
    const st = await runCli(['lab', 'status', '--state-dir', d], env());
    expect(st.code, st.stdout).toBe(0);
    expect(st.stdout).toMatch(/✔ prometheus +pid \d+ +127\.0\.0\.1:\d+ +ready/);
    expect(st.stdout).toMatch(/✔ tempo +pid \d+ +127\.0\.0\.1:\d+ +ready/);
    expect(st.stdout).toMatch(/✔ traffic +pid \d+ +running/);

    // the learner's path: status goes to the first chapter that applies here, and `run` of a chapter shows the kind
    // lab's helm steps without running them (no helm, no kubectl called) and checks the embedded lab
    expect((await runCli(['status', '--state-dir', d], env())).stdout).toContain('Next: 2 kube-prometheus-stack with exemplars and remote write → workbook run prometheus');
    world.clearCalls();
    const ran = await runCli(['run', 'prometheus', '--yes', '--state-dir', d], env(), { timeoutMs: 120_000 });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stdout).toContain('the embedded lab\'s `workbook lab up` made this state (the kind lab\'s step, shown, not run)');
    expect([...world.calls('helm'), ...world.calls('kubectl')]).toEqual([]);
    expect((await runCli(['status', '--state-dir', d], env())).stdout).toContain('Next: 3 Tempo in microservices mode → workbook run tempo');
    // no URL given: the checks use the embedded lab (data lands within the generator's collection interval)
    const json = join(d, 'r.json');
    const v = await runCli(['verify', 'all', '--state-dir', d, '--timeout', '120s', '--json', json], env(), { timeoutMs: 240_000 });
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.lab).toBe('embedded-monolithic');
    const states = Object.fromEntries(report.chapters.map((c: { id: string; state: string }) => [c.id, c.state]));
    expect(states, v.stdout).toMatchObject({ cluster: 'not-applicable', prometheus: 'passed', tempo: 'passed', traffic: 'passed', traces: 'passed', 'metrics-generator': 'passed', grafana: 'not-applicable' });
    // each state drawn as itself: a chapter that does not apply is skipped with its word, never ✖ FAILED
    expect(v.stdout).toMatch(/^↓ 7\. Grafana: data sources and the exemplar link \[SKIPPED: – not applicable: no check applies here: nothing verified\]$/m);
    expect(v.stdout).not.toMatch(/FAILED: (not applicable|blocked)/);
    // and in zh-TW, no English status word: listr's own words are the learner's too
    const zh = await runCli(['verify', 'grafana', '--lang', 'zh-TW', '--state-dir', d], env());
    expect(zh.stdout).toMatch(/^↓ 7\. Grafana：資料來源與 exemplar 連結 \[略過：– 不適用：/m);
    expect(zh.stdout).not.toMatch(/SKIPPED|FAILED|not applicable/);
    // every chapter run on the embedded lab: no process warning (MaxListenersExceededWarning and the like) anywhere
    for (const ch of ['prerequisites', 'cluster', 'tempo', 'traffic', 'traces', 'metrics-generator', 'grafana']) {
      const r = await runCli(['run', ch, '--yes', '--state-dir', d, '--timeout', '120s'], env(), { timeoutMs: 240_000 });
      expect(`${r.stdout}${r.stderr}`, `run ${ch}`).not.toMatch(/Warning|\(node:\d+\)/);
    }
    const ring = report.chapters.find((c: { id: string }) => c.id === 'tempo').items.find((i: { id: string }) => i.id === 'ingester-ring');
    expect(ring).toMatchObject({ status: 'not-applicable', evidence: expect.stringContaining('lab up --microservices') });

    // a challenge on it, for real: started (Prometheus restarted with the overlay), seen failing, fixed as the
    // learner would fix it (`lab restart prometheus`: the article's values again), seen passing
    const start = await runCli(['challenge', 'start', 'no-series', '--state-dir', d, '--show-fault'], env(), { timeoutMs: 120_000 });
    expect(start.code, start.stdout + start.stderr).toBe(0);
    expect(start.stdout).toContain(`$ workbook lab restart prometheus --values manifests/challenges/no-series.values.yaml --state-dir ${d}`);
    const broken = await runCli(['challenge', 'check', 'no-series', '--state-dir', d], env(), { timeoutMs: 120_000 });
    expect(broken.code, broken.stdout).toBe(1);
    // before hint 2 the cause stays back (the check whose name gives it away is not named), the symptom is shown
    expect(broken.stdout).toContain('✖ a check whose name would give the cause away — what it read names the cause …');
    // judged on data after the fault: at once it is "not yet" (or, once 30 s passed, what is missing), never a pass
    expect(broken.stdout).toMatch(/✖ the metrics generator writes traces_\* series to Prometheus — (not yet: the challenge began \d+ s ago|no traces_service_graph_\* or traces_spanmetrics_\* series written in the last 5 min …)/);
    // verify stays fully diagnostic, and says so
    const diag = await runCli(['verify', 'prometheus', '--state-dir', d], env(), { timeoutMs: 120_000 });
    expect(diag.stdout).toContain('A challenge is under way (no-series): verify names the causes it finds');
    expect(diag.stdout).toContain('web.enable-remote-write-receiver=false');
    // lab status keeps the challenge's secret (no overlay, no file name) unless asked
    const status = await runCli(['lab', 'status', '--state-dir', d], env());
    expect(status.stdout).toContain('a challenge is under way (no-series): what it changed stays hidden (`workbook lab status --spoilers` shows it)');
    expect(status.stdout).not.toContain('no-series.values.yaml');
    const spoilers = await runCli(['lab', 'status', '--spoilers', '--state-dir', d], env());
    expect(spoilers.stdout).toContain('prometheus: the article\'s values with');
    // `watch` follows the challenge on the embedded lab (no URL) and sees the fix when it lands
    const watch = spawn(process.execPath, [join(ROOT, 'dist/scripts/cli.js'), 'watch', 'no-series', '--state-dir', d], { env: { ...env(), WORKBOOK_WATCH_MS: '1000' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let watched = '';
    watch.stdout!.on('data', (b) => (watched += String(b)));
    const saw = (text: string) => new Promise<void>((resolve) => { const look = () => watched.includes(text) && resolve(); look(); watch.stdout!.on('data', look); });
    await saw('✖ prometheus/remote-write-receiver — web.enable-remote-write-receiver=false');
    const sawFix = saw('✔ Every check the fault broke passes again.');
    const fix = await runCli(['lab', 'restart', 'prometheus', '--state-dir', d], env(), { timeoutMs: 120_000 });
    expect(fix.stdout).toContain('Restarted prometheus with the article\'s values.');
    // the generator writes again within a collection or two: wait for the event, not a time
    let fixed = await runCli(['challenge', 'check', 'no-series', '--state-dir', d], env(), { timeoutMs: 120_000 });
    for (let i = 0; fixed.code !== 0 && i < 30; i++) {
      await new Promise((r) => setTimeout(r, 3000));
      fixed = await runCli(['challenge', 'check', 'no-series', '--state-dir', d], env(), { timeoutMs: 120_000 });
    }
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).toMatch(/✔ Fixed: no-series in .+, with 0 hint\(s\)\./);
    await sawFix;
    watch.kill('SIGINT');
    expect(watched).toContain('watching challenge no-series');
    expect(watched).toContain('✔ prometheus/remote-write-receiver — web.enable-remote-write-receiver=true');
    // a challenge that needs what the embedded lab has not is refused in one line
    const grafana = await runCli(['challenge', 'start', 'dots-lead-nowhere', '--state-dir', d], env());
    expect(grafana.code).toBe(2);
    expect(grafana.stderr.trim()).toBe('error: dots-lead-nowhere cannot run on the embedded lab: it breaks Grafana\'s data source, and the embedded lab has no Grafana (the kind lab has)');

    const noRing = await runCli(['challenge', 'start', 'writes-failing', '--state-dir', d], env());
    expect(noRing.stderr.trim()).toBe('error: writes-failing needs the embedded lab\'s microservices layout (`workbook lab down`, then `workbook lab up --microservices`): one Tempo process has no ingesters to lose');

    const now = stateOf(d);
    const down = await runCli(['lab', 'down', '--state-dir', d], env());
    expect(down.stdout).toContain('Stopped prometheus, tempo, traffic');
    for (const p of [...state.processes, ...now.processes]) expect(alive(p.pid), p.name).toBe(false);
    for (const p of now.processes) if (p.port) expect(await closed(p.port), `${p.name} still listens`).toBe(true);
    // without the lab, the workbook is back to the kind lab (no URLs)
    const after = await runCli(['lab', 'status', '--state-dir', d], env());
    expect(after.code).toBe(1);
  }, 300_000);

  it('microservices: the ring has 3 ACTIVE; one ingester killed is named as not heartbeating; down leaves nothing', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wb-embedded-ms-'));
    dirs.push(d);
    const up = await runCli(['lab', 'up', '--microservices', '--no-traffic', '--state-dir', d, '--tempo-bin', tempoBin!], env(), { timeoutMs: 180_000 });
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const state = stateOf(d);
    expect(state.processes.map((p) => p.name)).toEqual(['prometheus', 'tempo-distributor', 'tempo-ingester-0', 'tempo-ingester-1', 'tempo-ingester-2', 'tempo-query-frontend', 'tempo-querier', 'tempo-compactor', 'tempo-metrics-generator']);
    const ok = await runCli(['verify', 'tempo', '--state-dir', d, '--timeout', '60s', '--json', '-'], env(), { timeoutMs: 120_000 });
    const items = Object.fromEntries(JSON.parse(ok.stdout).chapters[0].items.map((i: { id: string; status: string; evidence: string }) => [i.id, [i.status, i.evidence]]));
    expect(items['ingester-ring']).toEqual(['passed', '3/3 ingesters ACTIVE and heartbeating (replication_factor 3, writes need 2)']);
    expect(items.pods[0]).toBe('not-applicable');

    const victim = state.processes.find((p) => p.name === 'tempo-ingester-2')!;
    process.kill(victim.pid, 'SIGKILL');
    await waitStale(state.urls.distributor, ['ingester-2'], 15);
    const bad = await runCli(['verify', 'tempo', '--state-dir', d, '--json', '-'], env(), { timeoutMs: 120_000 });
    const ring = JSON.parse(bad.stdout).chapters[0].items.find((i: { id: string }) => i.id === 'ingester-ring');
    expect(ring.status).toBe('failed');
    expect(ring.evidence).toMatch(/^2\/3 ingesters ACTIVE and heartbeating; cannot take writes: ingester-2 (not heartbeating for \d+ s|UNHEALTHY)/);

    // the writes-failing challenge on it: two ingesters stopped, named by the ring; reset starts them again
    const start = await runCli(['challenge', 'start', 'writes-failing', '--state-dir', d, '--show-fault'], env(), { timeoutMs: 120_000 });
    expect(start.code, start.stdout + start.stderr).toBe(0);
    expect(start.stdout).toContain(`$ workbook lab stop tempo-ingester-1 tempo-ingester-2 --state-dir ${d}`);
    const reset = await runCli(['challenge', 'reset', 'writes-failing', '--state-dir', d], env(), { timeoutMs: 180_000 });
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    expect(reset.stdout).toContain('Started tempo-ingester-1, tempo-ingester-2 again.');
    const again = await runCli(['verify', 'tempo', '--state-dir', d, '--timeout', '60s', '--json', '-'], env(), { timeoutMs: 120_000 });
    const ringOf = (out: string) => JSON.parse(out).chapters[0].items.find((i: { id: string }) => i.id === 'ingester-ring');
    expect(ringOf(again.stdout)).toMatchObject({ status: 'passed', evidence: '3/3 ingesters ACTIVE and heartbeating (replication_factor 3, writes need 2)' });

    const now = stateOf(d);
    await runCli(['lab', 'down', '--state-dir', d], env());
    for (const p of [...state.processes, ...now.processes]) expect(alive(p.pid), p.name).toBe(false);
  }, 300_000);
});
