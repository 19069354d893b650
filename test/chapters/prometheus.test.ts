import { GRAFANA_NOT_READY, NOT_GRAFANA } from '../../scripts/lab/grafana.js';
import { LAB_CONTEXT, LAB_CONTEXT_CALLS } from '../helpers/scenarios.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { startPrometheus, type RealPrometheus } from '../helpers/prometheus.js';
import { testContext, testLab } from '../helpers/context.js';
import { checks, NO_EXEMPLARS_HINT, NO_RECEIVER_HINT, steps } from '../../chapters/02-prometheus/index.js';
import { executeCheck } from '../../scripts/core/engine.js';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { formatCommand } from '../../scripts/core/format.js';

const check = (id: string) => checks.find((c) => c.id === id)!;

let withFlags: RealPrometheus;
let without: RealPrometheus;
let grafana: Server;
let grafanaUrl: string;

beforeAll(async () => {
  [withFlags, without] = await Promise.all([startPrometheus({ receiver: true, exemplars: true }), startPrometheus({ receiver: false, exemplars: false })]);
  // Grafana's /api/health shape (Grafana HTTP API docs, "Health API"); Grafana 10.1.2 from grafana chart 6.59.5 inside
  // kube-prometheus-stack 51.2.0 (shared/reference/charts-audit.md row 5); the commit is not captured
  grafana = createServer((req, res) => {
    if (req.url === '/api/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ commit: 'unknown', database: 'ok', version: '10.1.2' }));
    } else {
      res.writeHead(404).end();
    }
  });
  const port = await freePort();
  await new Promise<void>((r) => grafana.listen(port, '127.0.0.1', () => r()));
  grafanaUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await Promise.all([withFlags?.stop(), without?.stop()]);
  grafana?.close();
});

describe('chapter 2 checks against a real Prometheus 2.42', () => {
  it('pass when the remote-write receiver and exemplar storage are on', async () => {
    const ctx = await testContext(testLab({ urls: { prometheus: withFlags.url, grafana: grafanaUrl } }));
    for (const id of ['prometheus-ready', 'remote-write-receiver', 'exemplar-storage', 'grafana-health']) {
      const r = await executeCheck(check(id), ctx);
      expect(r.status, `${id}: ${r.evidence}`).toBe('passed');
    }
    expect((await executeCheck(check('exemplar-storage'), ctx)).evidence).toBe('enable-feature=exemplar-storage');
    expect((await executeCheck(check('remote-write-receiver'), ctx)).evidence).toBe('web.enable-remote-write-receiver=true');
    expect((await executeCheck(check('prometheus-ready'), ctx)).evidence).toMatch(/→ 200 .*Prometheus 2\.42/);
  });

  it('fail, each with the article\'s note as hint, when both are off', async () => {
    const ctx = await testContext(testLab({ urls: { prometheus: without.url } }));
    const rw = await executeCheck(check('remote-write-receiver'), ctx);
    expect(rw.status).toBe('failed');
    expect(rw.evidence).toBe('web.enable-remote-write-receiver=false');
    expect(rw.hint).toEqual(NO_RECEIVER_HINT);
    const ex = await executeCheck(check('exemplar-storage'), ctx);
    expect(ex.status).toBe('failed');
    expect(ex.evidence).toBe('enable-feature=(none)');
    expect(ex.hint).toEqual(NO_EXEMPLARS_HINT);
    expect(ex.hint!.en).toContain('metrics but no trace links');
    // final: a flag cannot change without a restart, so no re-probing until the deadline
    expect(ex.attempts).toBe(1);
  });

  it('Prometheus unreachable: fails with the URL in the evidence, no crash', async () => {
    const port = await freePort();
    const ctx = await testContext(testLab({ urls: { prometheus: `http://127.0.0.1:${port}` }, timeoutMs: 600 }));
    const r = await executeCheck(check('prometheus-ready'), ctx);
    expect(r.status).toBe('failed');
    expect(r.evidence).toContain(`GET http://127.0.0.1:${port}/-/ready: ECONNREFUSED`);
    // a refused explicit URL does not heal by waiting: one attempt, and the hint names the URL and its flag
    expect(r.attempts).toBe(1);
    expect(r.hint!.en).toBe(`Nothing answers at http://127.0.0.1:${port} (ECONNREFUSED). Is prometheus running there, and is --prometheus-url right?`);
  });

  it('--grafana-url pointing at Prometheus: "not Grafana", at once', async () => {
    const ctx = await testContext(testLab({ urls: { grafana: withFlags.url }, timeoutMs: 300 }));
    const r = await executeCheck(check('grafana-health'), ctx);
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: NOT_GRAFANA });
    expect(r.evidence).toContain('GET /api/health → 404');
  });

  it('Grafana up but its database failing (/api/health 503): "not healthy yet"', async () => {
    // Grafana's health API answers 503 with database "failing" (Grafana HTTP API docs, Health API)
    const sick = createServer((_q, res) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ commit: 'unknown', database: 'failing', version: '10.1.2' })));
    const port = await freePort();
    await new Promise<void>((r) => sick.listen(port, '127.0.0.1', () => r()));
    try {
      const r = await executeCheck(check('grafana-health'), await testContext(testLab({ urls: { grafana: `http://127.0.0.1:${port}` }, timeoutMs: 300 })));
      expect(r).toMatchObject({ status: 'failed', hint: GRAFANA_NOT_READY, evidence: 'GET /api/health → 503, database failing, Grafana 10.1.2' });
    } finally {
      sick.close();
    }
  });
});

describe('chapter 2 steps: exact command lines', () => {
  it('pins the chart and the values file, always with the lab context', () => {
    const lab = testLab();
    expect(steps.filter((s) => !s.onlyIf || s.onlyIf.when(lab)).map((s) => formatCommand(s.command(lab).argv))).toEqual([
      'helm repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update',
      'helm repo update prometheus-community',
      'helm --kube-context kind-tempo-lab upgrade --install prometheus-stack prometheus-community/kube-prometheus-stack --version 51.2.0 --namespace prometheus --create-namespace --values manifests/prometheus-stack.values.yaml --wait --timeout 10m',
    ]);
  });
});

describe('workbook verify prometheus (the CLI, CI=true)', () => {
  it('with explicit --prometheus-url and --grafana-url: passes against the real Prometheus', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['verify', 'prometheus', '--prometheus-url', withFlags.url, '--grafana-url', grafanaUrl], world.env({ CI: 'true' }));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('4/4 passed');
      expect(world.calls()).toEqual([]); // no kubectl at all: explicit endpoints need no port-forward
    } finally {
      world.cleanup();
    }
  });

  it('without the flags: exit 1 and the hints name the missing switches', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['verify', 'prometheus', '--prometheus-url', without.url, '--grafana-url', grafanaUrl, '--timeout', '2s'], world.env({ CI: 'true' }));
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('✖ [prometheus/remote-write-receiver] web.enable-remote-write-receiver=false');
      expect(r.stdout).toContain('enableRemoteWriteReceiver: true');
      expect(r.stdout).toContain('✖ [prometheus/exemplar-storage] enable-feature=(none)');
      expect(r.stdout).toContain('no trace links');
    } finally {
      world.cleanup();
    }
  });

  it('through a port-forward: the exact kubectl port-forward argv, bound to 127.0.0.1, and the forward is gone afterwards', async () => {
    const [pp, gp] = [await freePort(), await freePort()];
    const world = new FakeWorld({
      rules: {
        kubectl: [
          ...LAB_CONTEXT,
          { prefix: ['--context', 'kind-tempo-lab', 'port-forward', '--address', '127.0.0.1', '--namespace', 'prometheus', 'service/prometheus-stack-prometheus'], listen: true, proxyTo: `127.0.0.1:${withFlags.port}` },
          { prefix: ['--context', 'kind-tempo-lab', 'port-forward', '--address', '127.0.0.1', '--namespace', 'prometheus', 'service/prometheus-stack-grafana'], listen: true, proxyTo: grafanaUrl.replace('http://', '') },
        ],
      },
    });
    try {
      const r = await runCli(['verify', 'prometheus'], world.env({ CI: 'true', WORKBOOK_PORTS: `prometheus=${pp},grafana=${gp}` }));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const calls = world.calls('kubectl').map((c) => formatCommand(c.argv));
      // the context is asked once, before the first port-forward; the checks then run at once, so the two
      // forwards start in either order, one each
      expect(calls.slice(0, LAB_CONTEXT_CALLS.length)).toEqual(LAB_CONTEXT_CALLS);
      expect(calls.slice(LAB_CONTEXT_CALLS.length).sort()).toEqual([
        `--context kind-tempo-lab port-forward --address 127.0.0.1 --namespace prometheus service/prometheus-stack-grafana ${gp}:80`,
        `--context kind-tempo-lab port-forward --address 127.0.0.1 --namespace prometheus service/prometheus-stack-prometheus ${pp}:9090`,
      ]);
      // the CLI exited: nothing listens on the forwarded ports any more
      for (const port of [pp, gp]) await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    } finally {
      world.cleanup();
    }
  });
});
