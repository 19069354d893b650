// Fail fast and name the right cause: a missing or broken lab is diagnosed at once, with the hint of the real cause.
// The CLI runs as a process against fake tools; times are measured in `npm run bench`, not asserted here: these
// tests assert what makes a run fast (one attempt, dependent checks skipped) and what the learner reads.
import { CATALOG } from '../../scripts/core/catalog.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { executeCheck, executeStep, withDeadline } from '../../scripts/core/engine.js';
import { checks as ch3 } from '../../chapters/03-tempo/index.js';
import { checks as ch5 } from '../../chapters/05-traces/index.js';
import { steps as ch2steps } from '../../chapters/02-prometheus/index.js';
import { NOT_GRAFANA } from '../../scripts/lab/grafana.js';
import { NOT_TEMPO_API } from '../../scripts/lab/tempo.js';
import { API_DOWN_HINT, installHint, KUBECONFIG_HINT } from '../../scripts/lab/tools.js';
import { fill } from '../../scripts/core/text.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { checks as ch7 } from '../../chapters/07-grafana/index.js';
import { checks as ch6 } from '../../chapters/06-metrics-generator/index.js';
import { NOT_PROMETHEUS_API } from '../../scripts/lab/prometheus.js';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { goodMachine, noClusterMachine } from '../helpers/scenarios.js';
import { scriptedShell, testContext, testLab } from '../helpers/context.js';
import type { Http } from '../../scripts/effects/real.js';
import { ProgressStore } from '../../scripts/effects/progress.js';

const find = <T extends { id: string }>(xs: T[], id: string) => xs.find((x) => x.id === id)!;

describe('no cluster yet (chapter 1 never ran)', () => {
  it('verify all: the context check fails once, every check that needs the cluster is blocked naming it (terminal, JSON, JUnit), no chapter after it passes, and status agrees; exit 1', async () => {
    // kubectl knows no contexts: a fresh machine
    const world = new FakeWorld(noClusterMachine());
    try {
      const json = join(world.dir, 'r.json');
      const junit = join(world.dir, 'r.xml');
      const r = await runCli(['verify', 'all', '--json', json, '--junit', junit], world.env({ CI: 'true' }));
      expect(r.code).toBe(1);
      const report = JSON.parse(readFileSync(json, 'utf8'));
      const items = report.chapters.flatMap((c: { id: string; items: { id: string; status: string; evidence: string; attempts?: number }[] }) => c.items.map((i) => ({ ...i, chapter: c.id })));
      const context = items.find((i: { id: string }) => i.id === 'context');
      expect(context).toMatchObject({ status: 'failed', attempts: 1, evidence: 'kube context "kind-tempo-lab" does not exist' });
      const after = items.filter((i: { chapter: string }) => !['prerequisites', 'cluster'].includes(i.chapter));
      // every check of the chapters after the cluster, counted from the catalog
      expect(after.length).toBe(CATALOG.filter((c) => c.number > 1 && c.role !== 'teardown').reduce((n, c) => n + c.checks.length, 0));
      const why = 'needs cluster/context (chapter 1), which failed: kube context "kind-tempo-lab" does not exist';
      for (const i of after) expect([i.id, i.status, i.evidence]).toEqual([i.id, 'blocked', why]);
      // blocked is not passed: not in the report, not in progress, not in the terminal
      for (const c of report.chapters.filter((x: { number: number }) => x.number > 1)) expect([c.id, c.state, c.passed]).toEqual([c.id, 'blocked', false]);
      expect(report.passed).toBe(false);
      expect(report.summary.blocked).toBe(items.filter((i: { status: string }) => i.status === 'blocked').length);
      expect(readFileSync(junit, 'utf8')).toContain(`<skipped message="blocked: ${why.replace(/"/g, '&quot;')}"/>`);
      expect(r.stdout).toContain(`↓ Prometheus is ready [SKIPPED: ⊘ blocked: ${why}]`);
      expect(r.stdout).not.toMatch(/✔ [2-7]\. /);
      const status = await runCli(['status'], world.env({ CI: 'true' }));
      for (const c of CATALOG.filter((x) => x.number > 1 && x.role !== 'teardown')) expect(status.stdout).toMatch(new RegExp(`${c.number} ${c.id}\\s+blocked\\s+0/${c.checks.length}\\s`));
      expect(status.stdout).toContain('→ workbook run cluster');
      // no port-forward was ever tried: the context was asked once, the answer kept
      expect(world.calls('kubectl').filter((c) => c.argv.includes('port-forward'))).toEqual([]);
      expect(world.calls('kubectl').filter((c) => c.argv.join(' ') === 'config get-contexts --output=name')).toHaveLength(1);
    } finally {
      world.cleanup();
    }
  });

  it('verify all with every endpoint a closed port (Tempo at 127.0.0.1:<closed>): no chapter passes, and status agrees', async () => {
    const world = new FakeWorld(noClusterMachine());
    try {
      const closed = async () => `http://127.0.0.1:${await freePort()}`;
      const json = join(world.dir, 'closed.json');
      const r = await runCli(['verify', 'all', '--tempo-url', await closed(), '--prometheus-url', await closed(), '--grafana-url', await closed(), '--json', json], world.env({ CI: 'true' }));
      expect(r.code).toBe(1);
      const report = JSON.parse(readFileSync(json, 'utf8'));
      // chapters 2 on that apply to the article's profile (chapter 9 is Tempo 3's: not applicable here)
      const after = report.chapters.filter((c: { number: number; state: string }) => c.number >= 2 && c.state !== 'not-applicable');
      expect(report.chapters.filter((c: { state: string }) => c.state === 'not-applicable').map((c: { id: string }) => c.id)).toEqual(['what-changed']);
      for (const c of after) expect([c.id, c.passed, ['failed', 'blocked'].includes(c.state)]).toEqual([c.id, false, true]);
      // the Tempo chapters: ready fails (refused, at once), what needs it is blocked naming it
      const items = Object.fromEntries(report.chapters.flatMap((c: { id: string; items: { id: string; status: string; evidence: string }[] }) => c.items.map((i) => [`${c.id}/${i.id}`, i])));
      expect(items['tempo/ready'].status).toBe('failed');
      expect(items['traces/search-tags'].status).toBe('blocked');
      expect(items['traces/search-tags'].evidence).toMatch(/^needs tempo\/ready \(chapter 3\), which failed: GET http:\/\/127\.0\.0\.1:\d+\/ready: ECONNREFUSED/);
      const status = await runCli(['status'], world.env({ CI: 'true' }));
      for (const c of after) expect(status.stdout).toMatch(new RegExp(`${c.number} ${c.id}\\s+(failed|blocked)\\s`));
      expect(status.stdout).not.toMatch(/^ {2}[2-7] \S+\s+passed/m);
    } finally {
      world.cleanup();
    }
  });

  it('verify traces alone: the missing context ends each check at once (no re-probing), with the context hint', async () => {
    const world = new FakeWorld({ rules: { kubectl: [{ argv: ['config', 'get-contexts', '--output=name'], stdout: 'prod\n' }, { argv: ['config', 'current-context'], stdout: 'prod\n' }] } });
    try {
      const json = join(world.dir, 'r.json');
      const r = await runCli(['verify', 'traces', '--json', json], world.env({ CI: 'true' }));
      expect(r.code).toBe(1);
      const items = JSON.parse(readFileSync(json, 'utf8')).chapters[0].items as { status: string; attempts: number; evidence: string; hint: { en: string } }[];
      for (const i of items) {
        expect(i).toMatchObject({ status: 'failed', attempts: 1 });
        expect(i.evidence).toBe('kube context "kind-tempo-lab" does not exist (your current context is "prod"; the workbook never uses it unless --context names it)');
        expect(i.hint.en).toContain('workbook run cluster');
      }
    } finally {
      world.cleanup();
    }
  });
});

describe('causes waiting cannot fix end the probe at once, with their own hint', () => {
  it('kubectl not installed: the install hint, one attempt', async () => {
    const lab = testLab({ timeoutMs: 5000 });
    const ctx = await testContext(lab, { shell: scriptedShell({}) });
    // the scripted shell answers 127 for kubectl as a shell does for a missing command
    const missing = { ...ctx, shell: { ...ctx.shell, run: async () => ({ exitCode: 127, stdout: '', stderr: 'bash: line 1: kubectl: command not found' }) } };
    const r = await executeCheck(find(ch3, 'pods'), missing);
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: installHint(lab, 'kubectl') });
    expect(r.evidence).toContain('kubectl is not installed (not on PATH)');
  });

  it('the API server refuses connections although the context exists: the node container is named, one attempt', async () => {
    const lab = testLab({ timeoutMs: 5000 });
    const cmd = 'kubectl --context kind-tempo-lab get pods --namespace tracing --selector app.kubernetes.io/instance=tempo --output=json';
    const ctx = await testContext(lab, { shell: scriptedShell({ [cmd]: { exitCode: 1, stderr: 'The connection to the server 127.0.0.1:40427 was refused - did you specify the right host or port?\n' } }) });
    const r = await executeCheck(find(ch3, 'pods'), ctx);
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: fill(API_DOWN_HINT, { cluster: 'tempo-lab' }) });
  });

  it('an unreadable KUBECONFIG: the kubeconfig hint, not "create the cluster"', async () => {
    const lab = testLab({ timeoutMs: 5000 });
    const cmd = 'kubectl --context kind-tempo-lab get pods --namespace tracing --selector app.kubernetes.io/instance=tempo --output=json';
    const ctx = await testContext(lab, { shell: scriptedShell({ [cmd]: { exitCode: 1, stderr: 'error: error loading config file "/home/me/.kube/config": open /home/me/.kube/config: permission denied\n' } }) });
    expect(await executeCheck(find(ch3, 'pods'), ctx)).toMatchObject({ status: 'failed', attempts: 1, hint: KUBECONFIG_HINT });
  });

  it('a step whose tool is missing gets the doctor\'s install hint, not the generic one', async () => {
    const lab = testLab();
    const ctx = await testContext(lab, { shell: { run: async () => ({ exitCode: 127, stdout: '', stderr: 'bash: line 1: helm: command not found' }), which: async () => undefined } });
    const r = await executeStep(ch2steps[0]!, ctx);
    expect(r).toMatchObject({ status: 'failed', evidence: 'helm is not installed (not on PATH)', hint: installHint(lab, 'helm') });
  });
});

describe('explicit endpoints that are something else, or never answer', () => {
  let server: Server;
  let url: string;
  let hang: Server;
  let hangUrl: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n'));
    hang = createServer(() => {}); // accepts, never answers
    const [p1, p2] = [await freePort(), await freePort()];
    await new Promise<void>((r) => server.listen(p1, '127.0.0.1', () => r()));
    await new Promise<void>((r) => hang.listen(p2, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${p1}`;
    hangUrl = `http://127.0.0.1:${p2}`;
  });
  afterAll(() => {
    server.close();
    hang.closeAllConnections();
    hang.close();
  });

  it('Grafana /api/health 404: "not Grafana", not "it can take a minute"', async () => {
    const r = await executeCheck(find(ch7, 'health'), await testContext(testLab({ urls: { grafana: url }, timeoutMs: 3000 })));
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: NOT_GRAFANA });
  });

  it('Tempo search answering 404: "not Tempo\'s query API", not "no traffic"', async () => {
    const r = await executeCheck(find(ch5, 'search-tags'), await testContext(testLab({ urls: { tempo: url }, timeoutMs: 3000 })));
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: fill(NOT_TEMPO_API, { what: 'HTTP 404' }) });
  });

  it('Prometheus queries answering 404: "not Prometheus\' HTTP API", one attempt, not "no series yet"', async () => {
    const r = await executeCheck(find(ch6, 'series'), await testContext(testLab({ urls: { prometheus: url, tempo: url }, timeoutMs: 3000 })));
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: fill(NOT_PROMETHEUS_API, { what: 'HTTP 404' }) });
    expect(r.evidence).toMatch(/^GET \/api\/v1\/.*: HTTP 404, not JSON: 404 page not found$/);
  });

  it('block retention on a server that is not Tempo: the config hint, not the retention hint', async () => {
    const r = await executeCheck(find(ch3, 'block-retention'), await testContext(testLab({ urls: { tempo: url }, timeoutMs: 300 })));
    expect(r.status).toBe('failed');
    expect(r.hint!.en).toContain('not with its running configuration');
  });

  it('--timeout is an upper bound: a request to a server that never answers is cut at what is left of the budget', async () => {
    const r = await executeCheck(find(ch7, 'health'), await testContext(testLab({ urls: { grafana: hangUrl }, timeoutMs: 800 })));
    expect(r.status).toBe('failed');
    expect(r.evidence).toMatch(/no answer within \d+ ms/);
    const ms = Number(/no answer within (\d+) ms/.exec(r.evidence)![1]);
    expect(ms).toBeLessThanOrEqual(800);
  });

  it('withDeadline caps each request\'s and command\'s own timeout by the time left', async () => {
    let now = 1000;
    const seen: (number | undefined)[] = [];
    const http: Http = { request: async (_u, init) => (seen.push(init?.timeoutMs), { status: 200, headers: {}, body: '' }) };
    const base = await testContext(testLab(), { http, clock: { now: () => now, sleep: async () => {} } });
    const ctx = withDeadline(base, 5000);
    await ctx.http.request('http://127.0.0.1:1/', { timeoutMs: 15_000 });
    now = 4900;
    await ctx.http.request('http://127.0.0.1:1/', { timeoutMs: 15_000 });
    expect(seen).toEqual([4000, 250]);
  });
});

describe('the CLI names the cause it was given', () => {
  it('workbook traffic to a closed port prints the error and its hint', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const port = await freePort();
      const r = await runCli(['traffic', '--otlp-url', `http://127.0.0.1:${port}`, '--count', '3', '--rate', '100'], world.env({ CI: 'true' }));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('hint: Is the distributor up with traces.otlp.http.enabled (chapter 3)?');
    } finally {
      world.cleanup();
    }
  });

  it('workbook down with kind missing: the install hint, not "already gone", and no waiting', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      // the workbook created the cluster earlier (so teardown may delete it)
      const store = await ProgressStore.open(world.stateDir);
      store.setFact('createdCluster', 'tempo-lab');
      await store.save();
      const r = await runCli(['down', '--yes'], world.env({ CI: 'true' }));
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).not.toContain('already gone');
      expect(r.stdout + r.stderr).toContain('Install kind 0.20.0 or newer');
    } finally {
      world.cleanup();
    }
  });

  it('a warning is shown as a warning, never with a check mark', async () => {
    const port = await freePort();
    const taken = createServer(() => {});
    await new Promise<void>((r) => taken.listen(port, '127.0.0.1', () => r()));
    const world = new FakeWorld(goodMachine());
    try {
      const r = await runCli(['doctor'], world.env({ CI: 'true', WORKBOOK_PORTS: `prometheus=${port}` }));
      expect(r.stdout).toContain(`↓ local port for prometheus is free [SKIPPED: ⚠ warned: 127.0.0.1:${port} is in use`);
      expect(r.stdout).not.toMatch(/✔ local port for prometheus is free/);
    } finally {
      world.cleanup();
      taken.close();
    }
  });
});
