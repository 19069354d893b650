// `run all --fast`: the same commands as a plain run, with pulls overlapping the cluster start and both installs
// running together. Fake tools take time (sleepMs) so the overlap shows in their start/end stamps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeWorld, runCli, type FakeCall } from '../helpers/fakes.js';
import { slowLab } from '../helpers/scenarios.js';
import { startPrometheus, type RealPrometheus } from '../helpers/prometheus.js';
import { startTempoServer, type TempoServer } from '../helpers/tempo-server.js';
import { startGrafanaServer, type GrafanaServer } from '../helpers/grafana-server.js';
import { remoteWrite } from '../helpers/remote-write.js';
import { generatorSeries } from '../helpers/generator-data.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { criticalPath, FAST_PLAN, fastPlan, planCoverage } from '../../scripts/cli/fast.js';
import type { Chapter, Step } from '../../scripts/core/model.js';
import { getProfile } from '../../scripts/lab/versions.js';

const images = Object.values(getProfile('article').images);

let prom: RealPrometheus;
let tempo: TempoServer;
let grafana: GrafanaServer;
beforeAll(async () => {
  [prom, tempo] = await Promise.all([startPrometheus({ receiver: true, exemplars: true }), startTempoServer()]);
  grafana = await startGrafanaServer({ tempoUpstream: tempo.url });
  await remoteWrite(prom.url, generatorSeries());
});
afterAll(async () => {
  await Promise.all([prom?.stop(), tempo?.close(), grafana?.close()]);
});

describe('the --fast plan', () => {
  it('covers every step and every chapter\'s checks of a plain run all', () => {
    expect(planCoverage(FAST_PLAN)).toEqual({ missingSteps: [], missingChecks: [] });
  });
  it('its critical path is shorter than running the jobs one after another', () => {
    const cp = criticalPath(FAST_PLAN);
    expect(cp.path).toEqual(['prerequisites:checks', 'pull', 'load', 'tempo:steps', 'tempo:checks', 'traffic:steps', 'traffic:checks', 'traces:checks', 'metrics-generator:checks']);
    expect(cp.totalMs).toBeLessThan(cp.sequentialMs);
    expect(criticalPath(FAST_PLAN, { pull: 1000 }).path).toContain('cluster:steps');
  });
  it('is derived from the chapters\' declarations: both installs wait for the load, the repositories only for the doctor', () => {
    const job = (id: string) => FAST_PLAN.find((j) => j.id === id)!;
    expect(job('prometheus:prepare').deps).toEqual(['prerequisites:checks']);
    expect(job('prometheus:steps').deps).toEqual(['cluster:checks', 'prometheus:prepare', 'load']);
    expect(job('tempo:steps').deps).toEqual(['cluster:checks', 'tempo:prepare', 'load']);
    expect(job('load').deps).toEqual(['cluster:checks', 'pull']);
    expect(job('metrics-generator:checks').deps).toEqual(['traces:checks', 'prometheus:checks']);
    expect(FAST_PLAN.some((j) => j.id.startsWith('teardown'))).toBe(false);
  });
  it('every job it waits for exists, for any shape of chapter (only checks, only prepare steps, nothing)', () => {
    const t = { en: 'x', 'zh-TW': 'x' };
    const step = (id: string, fast?: Step['fast']): Step => ({ id, title: t, why: t, command: () => ({ argv: ['true'] }), ...(fast ? { fast } : {}) });
    const check = { id: 'c', title: t, probe: async () => ({ ok: true as const, evidence: '' }) };
    const ch = (number: number, id: string, steps: Step[], checks: Chapter['checks'], after: string[], role?: Chapter['role']): Chapter => ({ number, id, dir: `${number}-${id}`, title: t, steps, checks, after, ...(role ? { role } : {}) });
    const catalog = [
      ch(0, 'doctor', [], [check], []),
      ch(1, 'cluster', [step('create')], [check], ['doctor'], 'cluster'),
      ch(2, 'repos', [step('add', 'prepare')], [], ['cluster']),
      ch(3, 'install', [step('install', 'images')], [], ['repos']),
      ch(4, 'empty', [], [], ['install']),
      ch(5, 'last', [], [check], ['empty', 'install']),
    ];
    for (const plan of [FAST_PLAN, fastPlan(catalog)]) {
      const ids = new Set(plan.map((j) => j.id));
      expect(plan.flatMap((j) => j.deps).filter((d) => !ids.has(d))).toEqual([]);
    }
    const plan = fastPlan(catalog);
    expect(plan.find((j) => j.id === 'install:steps')!.deps).toEqual(['repos:prepare', 'load']);
    expect(plan.find((j) => j.id === 'last:checks')!.deps).toEqual(['install:steps']);
  });
});

describe('workbook run all --fast (fakes, real Prometheus, contract servers)', () => {
  it('overlaps pulls with the cluster start and the two installs, and still passes every check', async () => {
    const world = new FakeWorld(slowLab());
    try {
      const ports = `grafana=${await freePort()},prometheus=${await freePort()},tempo=${await freePort()}`;
      const r = await runCli(['run', 'all', '--fast', '--prometheus-url', prom.url, '--tempo-url', tempo.url, '--grafana-url', grafana.url, '--timeout', '5s'], world.env({ CI: 'true', WORKBOOK_PORTS: ports }), { timeoutMs: 120_000 });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Wall time with --fast: .*; the same jobs one after another: /);
      expect(r.stdout).toContain('Critical path: prerequisites:checks → ');
      const calls = world.calls();
      const ends = world.ends();
      const find = (tool: string, ...prefix: string[]) => calls.filter((c) => c.tool === tool && prefix.every((p, i) => c.argv[i] === p));
      const end = (c: FakeCall) => ends.get(c.pid)!;
      const create = find('kind', 'create', 'cluster')[0]!;
      const pulls = find('docker', 'pull');
      const load = find('kind', 'load', 'docker-image')[0]!;
      const installs = find('helm', '--kube-context', 'kind-tempo-lab', 'upgrade');
      const apply = find('kubectl', '--context', 'kind-tempo-lab', 'apply')[0]!;
      expect(pulls.map((c) => c.argv[1]).sort()).toEqual([...images].sort());
      // pulls start while the cluster is still being created
      expect(Math.min(...pulls.map((c) => c.t0))).toBeLessThan(end(create));
      // kind load waits for the cluster and for every pull, and loads all but the node image
      expect(load.t0).toBeGreaterThanOrEqual(Math.max(end(create), ...pulls.map(end)));
      expect(load.argv).toHaveLength(4 + images.length - 1);
      // both installs run together, after the load
      expect(installs.map((c) => c.argv[4])).toEqual(expect.arrayContaining(['prometheus-stack', 'tempo']));
      expect(Math.abs(installs[0]!.t0 - installs[1]!.t0)).toBeLessThan(500);
      for (const i of installs) expect(i.t0).toBeGreaterThanOrEqual(end(load));
      // the generator starts after Tempo is installed
      expect(apply.t0).toBeGreaterThanOrEqual(end(installs.find((c) => c.argv[4] === 'tempo')!));
      const progress = world.progress();
      for (const id of ['prerequisites', 'cluster', 'prometheus', 'tempo', 'traffic', 'traces', 'metrics-generator', 'grafana']) expect(progress.chapters[id].status, id).toBe('passed');
    } finally {
      world.cleanup();
    }
  });
});
