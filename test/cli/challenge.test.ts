// `workbook challenge`: each fault's exact commands against the FAKE helm/kubectl (and their reset), only on a lab
// the workbook made, after confirmation; check, hint and the record of time to fix and hints used, with the
// exemplar-link fault shown by the Grafana contract server provisioned from the values plus the fault's overlay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { challengeLab } from '../helpers/scenarios.js';
import { startGrafanaServer, type GrafanaServer } from '../helpers/grafana-server.js';
import { startTempoServer, type TempoServer } from '../helpers/tempo-server.js';
import { CHALLENGES } from '../../scripts/lab/challenges.js';

const H = ['--kube-context', 'kind-tempo-lab'];
const K = ['--context', 'kind-tempo-lab'];
const PROM_INSTALL = [...H, 'upgrade', '--install', 'prometheus-stack', 'prometheus-community/kube-prometheus-stack', '--version', '51.2.0', '--namespace', 'prometheus', '--create-namespace', '--values', 'manifests/prometheus-stack.values.yaml'];
const TEMPO_INSTALL = [...H, 'upgrade', '--install', 'tempo', 'grafana/tempo-distributed', '--version', '1.6.5', '--namespace', 'tracing', '--create-namespace', '--values', 'manifests/tempo-distributed.values.yaml'];
const WAIT = ['--wait', '--timeout', '10m'];

/** Each fault's command (tool, argv) and the reset's, exactly. */
const EXPECTED: Record<string, { start: [string, string[]]; reset: [string, string[]] }> = {
  'dots-gone': { start: ['helm', [...PROM_INSTALL, '--values', 'manifests/challenges/dots-gone.values.yaml', ...WAIT]], reset: ['helm', [...PROM_INSTALL, ...WAIT]] },
  'no-series': { start: ['helm', [...PROM_INSTALL, '--values', 'manifests/challenges/no-series.values.yaml', ...WAIT]], reset: ['helm', [...PROM_INSTALL, ...WAIT]] },
  'dots-lead-nowhere': { start: ['helm', [...PROM_INSTALL, '--values', 'manifests/challenges/dots-lead-nowhere.values.yaml', ...WAIT]], reset: ['helm', [...PROM_INSTALL, ...WAIT]] },
  'exemplars-never-arrive': { start: ['helm', [...TEMPO_INSTALL, '--values', 'manifests/challenges/exemplars-never-arrive.values.yaml', ...WAIT]], reset: ['helm', [...TEMPO_INSTALL, ...WAIT]] },
  'empty-service-graph': { start: ['helm', [...TEMPO_INSTALL, '--values', 'manifests/challenges/empty-service-graph.values.yaml', ...WAIT]], reset: ['helm', [...TEMPO_INSTALL, ...WAIT]] },
  'writes-failing': { start: ['kubectl', [...K, 'scale', 'statefulset/tempo-ingester', '--namespace', 'tracing', '--replicas=1']], reset: ['kubectl', [...K, 'scale', 'statefulset/tempo-ingester', '--namespace', 'tracing', '--replicas=3']] },
  'series-go-missing': { start: ['helm', [...TEMPO_INSTALL, '--values', 'manifests/challenges/series-go-missing.values.yaml', ...WAIT]], reset: ['helm', [...TEMPO_INSTALL, ...WAIT]] },
  'traces-stop-arriving': { start: ['kubectl', [...K, 'set', 'env', 'deployment/xk6-tracing', '--namespace', 'tracing', 'ENDPOINT=tempo-distributor.tracing:4318']], reset: ['kubectl', [...K, 'set', 'env', 'deployment/xk6-tracing', '--namespace', 'tracing', 'ENDPOINT=tempo-distributor.tracing:4317']] },
};

/** A progress file saying the workbook created the cluster (what chapter 1's step records). */
function ourCluster(world: FakeWorld, cluster = 'tempo-lab') {
  mkdirSync(world.stateDir, { recursive: true });
  writeFileSync(join(world.stateDir, 'progress.json'), JSON.stringify({ version: 1, updatedAt: new Date().toISOString(), facts: { createdCluster: cluster }, chapters: {} }));
}

const changes = (world: FakeWorld) => world.calls().filter((c) => ['upgrade', 'scale', 'set'].includes(c.argv[2]!)).map((c) => [c.tool, c.argv] as [string, string[]]);

describe('workbook challenge (FAKE helm and kubectl)', () => {
  it('there are at least seven, each with a symptom, three hints and broken checks that exist', () => {
    expect(CHALLENGES.length).toBeGreaterThanOrEqual(7);
    expect(Object.keys(EXPECTED).sort()).toEqual(CHALLENGES.map((c) => c.id).sort());
  });

  /** Words that would give each fault away. */
  const GIVEAWAY: Record<string, string[]> = {
    'dots-gone': ['exemplar-storage', 'enableFeatures'],
    'exemplars-never-arrive': ['send_exemplars'],
    'empty-service-graph': ['processors'],
    'no-series': ['receiver', 'RemoteWrite'],
    'series-go-missing': ['/api/v1/push'],
    'writes-failing': ['replicas', 'scale'],
    'dots-lead-nowhere': ['exemplarTraceIdDestinations'],
    'traces-stop-arriving': ['4318', 'ENDPOINT'],
  };

  it.each(Object.keys(EXPECTED))('%s: starting it and planning it name no cause (--show-fault and --spoilers do); hint 1 works before it starts', async (id) => {
    const world = new FakeWorld(challengeLab());
    try {
      ourCluster(world);
      const env = world.env({ CI: 'true' });
      const ch = CHALLENGES.find((c) => c.id === id)!;
      const r = await runCli(['challenge', 'start', id, '--yes'], env);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(changes(world)).toEqual([EXPECTED[id]!.start]);
      expect(r.stdout).toContain("$ (the fault's command is hidden: it would name the cause; --show-fault shows it)");
      const plan = await runCli(['plan', 'challenges'], env);
      for (const out of [r.stdout, plan.stdout.slice(plan.stdout.indexOf(`${id}:`), plan.stdout.indexOf('\n\n', plan.stdout.indexOf(`${id}:`)) >>> 0)]) {
        for (const word of GIVEAWAY[id]!) expect(out, `${id}: "${word}"`).not.toContain(word);
        expect(out).not.toContain(ch.cause.en);
      }
      const spoiled = await runCli(['plan', 'challenges', '--spoilers'], env);
      expect(spoiled.stdout).toContain(`the fault: ${ch.cause.en}`);
      expect(spoiled.stdout).toContain(`checks: ${ch.breaks.join(', ')}`);
      // hint 1 before the challenge: where to look, nothing counted; then 2 and 3 once started
      await runCli(['challenge', 'reset', id], env);
      const before = await runCli(['challenge', 'hint', id], env);
      expect(before.stdout).toMatch(/^Hint 1 of 3: /);
      expect(before.stdout).toContain(`(the next hints come once the challenge is started: workbook challenge start ${id})`);
      for (const word of GIVEAWAY[id]!) expect(before.stdout.split('\n')[0], `${id}: "${word}" in hint 1`).not.toContain(word);
    } finally {
      world.cleanup();
    }
  });

  it.each(Object.keys(EXPECTED))('%s: start runs the exact fault command and tells the symptom; reset the exact restore', async (id) => {
    const world = new FakeWorld(challengeLab());
    try {
      ourCluster(world);
      const env = world.env({ CI: 'true' });
      const r = await runCli(['challenge', 'start', id, '--yes', '--show-fault'], env);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(changes(world)).toEqual([EXPECTED[id]!.start]);
      const ch = CHALLENGES.find((c) => c.id === id)!;
      expect(r.stdout).toContain(`What you see: ${ch.symptom.en}`);
      // the command is shown first, with why, like any step
      expect(r.stdout.indexOf(`$ ${EXPECTED[id]!.start[0]}`)).toBeLessThan(r.stdout.indexOf('What you see'));
      const p = world.progress().challenges[id];
      expect(p).toMatchObject({ status: 'broken', hintsUsed: 0 });
      world.clearCalls();
      const back = await runCli(['challenge', 'reset', id], env);
      expect(back.code, back.stdout + back.stderr).toBe(0);
      expect(changes(world)).toEqual([EXPECTED[id]!.reset]);
      expect(world.progress().challenges[id].status).toBe('reset');
    } finally {
      world.cleanup();
    }
  });

  it('a long helm upgrade --wait says it is still running (the chapters\' heartbeat)', async () => {
    const lab = challengeLab();
    // the install takes a while (ours: 1.2 s against a 300 ms heartbeat)
    lab.rules.helm = lab.rules.helm!.map((r) => (r.prefix?.includes('upgrade') ? { ...r, sleepMs: 1200 } : r));
    const world = new FakeWorld(lab);
    try {
      ourCluster(world);
      const r = await runCli(['challenge', 'start', 'empty-service-graph', '--yes'], world.env({ CI: 'true', WORKBOOK_HEARTBEAT_MS: '300' }));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/ {2}│ … still running, \d+ ms/);
    } finally {
      world.cleanup();
    }
  });

  it('refuses a cluster the workbook did not create, and a release that is not installed: nothing is changed', async () => {
    const world = new FakeWorld(challengeLab({ releases: ['tempo'] }));
    try {
      const env = world.env({ CI: 'true' });
      const notOurs = await runCli(['challenge', 'start', 'empty-service-graph', '--yes'], env);
      expect(notOurs.code).toBe(1);
      expect(notOurs.stdout).toContain('refusing: challenges only break a lab the workbook created (cluster tempo-lab was not made by `workbook run cluster`)');
      ourCluster(world);
      const noRelease = await runCli(['challenge', 'start', 'dots-gone', '--yes'], env);
      expect(noRelease.code).toBe(1);
      expect(noRelease.stdout).toContain('refusing: release prometheus-stack is not installed: run chapter 2 (`workbook run prometheus`) first');
      expect(changes(world)).toEqual([]);
      expect(world.progress().challenges).toBeUndefined();
    } finally {
      world.cleanup();
    }
  });

  it('asks first: without a terminal and without --yes it changes nothing and says how (exit 2)', async () => {
    const world = new FakeWorld(challengeLab());
    try {
      ourCluster(world);
      const r = await runCli(['challenge', 'start', 'writes-failing'], world.env());
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('needs confirmation: run again with --yes');
      expect(changes(world)).toEqual([]);
    } finally {
      world.cleanup();
    }
  });

  it('bad input is one line and exit 2: unknown action, unknown id, check before start', async () => {
    const world = new FakeWorld(challengeLab());
    try {
      const env = world.env({ CI: 'true' });
      const a = await runCli(['challenge', 'break', 'x'], env);
      expect([a.code, a.stderr.trim()]).toEqual([2, 'error: unknown challenge action "break" (actions: list, start, check, hint, reset)']);
      const b = await runCli(['challenge', 'start', 'nope'], env);
      expect(b.code).toBe(2);
      expect(b.stderr).toMatch(/^error: unknown challenge "nope" \(challenges: dots-gone, /);
      const c = await runCli(['challenge', 'check', 'empty-service-graph'], env);
      expect([c.code, c.stderr.trim()]).toEqual([2, 'error: challenge empty-service-graph is not started: `workbook challenge start empty-service-graph` first']);
    } finally {
      world.cleanup();
    }
  });

  it('plan challenges --spoilers shows every fault and reset command without running anything', async () => {
    const world = new FakeWorld(challengeLab());
    try {
      const r = await runCli(['plan', 'challenges', '--spoilers'], world.env({ CI: 'true' }));
      expect(r.code).toBe(0);
      for (const e of Object.values(EXPECTED)) {
        expect(r.stdout).toContain(`start: $ ${[e.start[0], ...e.start[1]].join(' ')}`);
        expect(r.stdout).toContain(`reset: $ ${[e.reset[0], ...e.reset[1]].join(' ')}`);
      }
      expect(world.calls()).toEqual([]);
    } finally {
      world.cleanup();
    }
  });
});

describe('a challenge from start to fix: the exemplar link (Grafana contract server, values + the fault overlay)', () => {
  let tempo: TempoServer;
  let broken: GrafanaServer;
  let fixed: GrafanaServer;
  beforeAll(async () => {
    tempo = await startTempoServer();
    broken = await startGrafanaServer({ tempoUpstream: tempo.url, overlays: ['manifests/challenges/dots-lead-nowhere.values.yaml'] });
    fixed = await startGrafanaServer({ tempoUpstream: tempo.url });
  });
  afterAll(async () => {
    await Promise.all([tempo?.close(), broken?.close(), fixed?.close()]);
  });

  it('check fails while broken; hints escalate (where to look by hand, with this lab\'s address; what to look for; the fix) and run nothing; check passes once fixed; progress and the JSON report keep time and hints', async () => {
    const world = new FakeWorld(challengeLab());
    try {
      ourCluster(world);
      const env = world.env({ CI: 'true', WORKBOOK_GRAFANA_USER: 'admin', WORKBOOK_GRAFANA_PASSWORD: 'prom-operator' });
      expect((await runCli(['challenge', 'start', 'dots-lead-nowhere', '--yes'], env)).code).toBe(0);

      const no = await runCli(['challenge', 'check', 'dots-lead-nowhere', '--grafana-url', broken.url], env);
      expect(no.code, no.stdout + no.stderr).toBe(1);
      // the symptom and what was measured; what names the cause waits for hint 2
      expect(no.stdout).toContain('What you see: Exemplar dots show on the Prometheus panels');
      expect(no.stdout).toContain('✖ Prometheus exemplars link traceID to Tempo — what it read names the cause …');
      expect(no.stdout).not.toMatch(/exemplarTraceIdDestinations|datasourceUid/i);
      expect(no.stdout).toContain('✖ Not fixed yet: 1 of 1 checks still fail.');

      const h1 = await runCli(['challenge', 'hint', 'dots-lead-nowhere', '--grafana-url', broken.url], env);
      expect(h1.stdout).toMatch(/^Hint 1 of 3: The exemplars are stored/);
      // where to look by hand: a command against this lab's Grafana
      expect(h1.stdout).toContain(`curl -s -u admin:<password> ${broken.url}/api/datasources/uid/prometheus`);
      world.clearCalls();
      const h2 = await runCli(['challenge', 'hint', 'dots-lead-nowhere', '--grafana-url', broken.url], env);
      expect(h2.stdout).toMatch(/^Hint 2 of 3: In jsonData, exemplarTraceIdDestinations links an exemplar label/);
      // a hint runs nothing: no check, no tool
      expect(h2.stdout).not.toContain('✖');
      expect(world.calls('kubectl')).toEqual([]);
      expect(world.progress().challenges['dots-lead-nowhere'].hintsUsed).toBe(2);
      // after hint 2 the check says what it read
      const after = await runCli(['challenge', 'check', 'dots-lead-nowhere', '--grafana-url', broken.url], env);
      expect(after.stdout).toContain('✖ Prometheus exemplars link traceID to Tempo — jsonData.exemplarTraceIdDestinations');

      const yes = await runCli(['challenge', 'check', 'dots-lead-nowhere', '--grafana-url', fixed.url, '--json', 'report.json'], { ...env }, { cwd: world.dir });
      expect(yes.code, yes.stdout + yes.stderr).toBe(0);
      expect(yes.stdout).toMatch(/✔ Fixed: dots-lead-nowhere in .+, with 2 hint\(s\)\./);
      const rec = world.progress().challenges['dots-lead-nowhere'];
      expect(rec).toMatchObject({ status: 'fixed', hintsUsed: 2 });
      expect(rec.timeToFixMs).toBeGreaterThan(0);
      expect(Date.parse(rec.fixedAt)).toBeGreaterThanOrEqual(Date.parse(rec.startedAt));
      const { readFileSync } = await import('node:fs');
      const report = JSON.parse(readFileSync(join(world.dir, 'report.json'), 'utf8'));
      expect(report.challenge).toMatchObject({ id: 'dots-lead-nowhere', fixed: true, hintsUsed: 2, timeToFixMs: rec.timeToFixMs });
      expect(report.chapters.map((c: { id: string }) => c.id)).toEqual(['grafana']);
      expect(report.challenges['dots-lead-nowhere'].status).toBe('fixed');
      // status and list show it too
      const st = await runCli(['status'], env);
      expect(st.stdout).toMatch(/Challenges\n {2}dots-lead-nowhere +fixed in .+, 2 hint\(s\)/);
      const ls = await runCli(['challenge', 'list'], env);
      expect(ls.stdout).toMatch(/dots-lead-nowhere +Dots that lead nowhere\n +fixed in .+, 2 hint\(s\)/);
    } finally {
      world.cleanup();
    }
  });

  it('attempts are history: a new start keeps the one before (hints, fix); a hint after the fix is not counted; a failing check does not unfix it', async () => {
    const world = new FakeWorld(challengeLab());
    try {
      ourCluster(world);
      const env = world.env({ CI: 'true', WORKBOOK_GRAFANA_USER: 'admin', WORKBOOK_GRAFANA_PASSWORD: 'prom-operator' });
      const id = 'dots-lead-nowhere';
      const g = ['--grafana-url', broken.url];
      expect((await runCli(['challenge', 'start', id, '--yes'], env)).code).toBe(0);
      for (let i = 0; i < 3; i++) await runCli(['challenge', 'hint', id, ...g], env);
      const first = world.progress().challenges[id];
      expect(first.hintsUsed).toBe(3);
      // start again while under way: a new attempt, said so; the first is kept as it was
      const again = await runCli(['challenge', 'start', id, '--yes'], env);
      expect(again.stdout).toContain(`A new attempt begins (attempt 2). The one before (started ${first.startedAt}, 3 hint(s), not finished) stays in the history.`);
      let rec = world.progress().challenges[id];
      expect(rec).toMatchObject({ status: 'broken', hintsUsed: 0, attempts: [{ status: 'restarted', startedAt: first.startedAt, hintsUsed: 3 }] });
      // fix it with one hint
      await runCli(['challenge', 'hint', id, ...g], env);
      expect((await runCli(['challenge', 'check', id, '--grafana-url', fixed.url], env)).code).toBe(0);
      rec = world.progress().challenges[id];
      expect(rec).toMatchObject({ status: 'fixed', hintsUsed: 1 });
      const fix = { fixedAt: rec.fixedAt, timeToFixMs: rec.timeToFixMs };
      // a hint after the fix is shown, not counted; a check that fails later does not rewrite the fix
      const late = await runCli(['challenge', 'hint', id, ...g], env);
      expect(late.stdout).toContain('(this challenge is fixed: the hint is not counted)');
      expect((await runCli(['challenge', 'check', id, ...g], env)).code).toBe(1);
      expect(world.progress().challenges[id]).toMatchObject({ status: 'fixed', hintsUsed: 1, ...fix });
      // a third start keeps the fixed attempt whole
      const third = await runCli(['challenge', 'start', id, '--yes'], env);
      expect(third.stdout).toContain('A new attempt begins (attempt 3).');
      rec = world.progress().challenges[id];
      expect(rec.attempts).toHaveLength(2);
      expect(rec.attempts[1]).toMatchObject({ status: 'fixed', hintsUsed: 1, ...fix });
      expect(rec).toMatchObject({ status: 'broken', hintsUsed: 0 });
    } finally {
      world.cleanup();
    }
  });
});
