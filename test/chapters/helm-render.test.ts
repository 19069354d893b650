// The charts as the REAL helm renders them (helm v3.21.4 built from the Go module proxy by test/setup/ensure-helm.sh;
// the pinned archives of tempo-distributed 1.6.5 and kube-prometheus-stack 51.2.0 from the charts' own tags):
// - every `helm upgrade --install` that `plan` shows, for every profile and every challenge, renders with
//   `helm template` from the very same argv, and what the embedded lab keeps of it (manifests/rendered) is exactly
//   that render (else: npm run render-charts);
// - each challenge's overlay changes in the render exactly what the challenge declares (a misspelt key changes
//   nothing, an undeclared effect is named), and the embedded lab's configuration changes in the same field;
// - the embedded lab's Tempo configuration, every process of both layouts, equals the chart's render but for the
//   rows of its change table (a field changed by hand is named).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { CHALLENGES } from '../../scripts/lab/challenges.js';
import { committedRender, extractRender, renderDiff, renderedFile, templateArgv, diffPaths, type TempoRender, type PrometheusRender } from '../../scripts/lab/chart-render.js';
import { drift, MICROSERVICES, MICROSERVICES_3, prometheusProcess, tempoProcess, type Layout } from '../../scripts/lab/embedded-config.js';
import { renderTools } from '../../scripts/effects/helm-render.js';
import { plannedInstalls, type PlannedInstall } from '../helpers/chart-installs.js';
import { helmEnv, whyNoHelm } from '../helpers/helm.js';
import { ROOT } from '../helpers/fakes.js';
import { join, relative } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const env = helmEnv();
if (!env) console.log(`the helm render tests are skipped: ${whyNoHelm()}`);

/** `helm template` from an install as plan shows it (its argv turned into a template of the pinned archive). */
function helmTemplate(i: PlannedInstall): string {
  const tools = renderTools(env!);
  const archive = tools.archive(i.chart, i.version);
  if (!archive) throw new Error(`no archive of ${i.chart} ${i.version}`);
  return execFileSync(tools.helm!, templateArgv(i, archive), { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

describe.skipIf(!env)('the charts rendered by the real helm', () => {
  const installs = env ? plannedInstalls(env) : [];
  const texts = new Map<PlannedInstall, string>();
  const text = (i: PlannedInstall) => texts.get(i) ?? (texts.set(i, helmTemplate(i)), texts.get(i)!);

  it('every install plan shows (each profile, each challenge) renders, and the committed render is exactly what helm makes of it', () => {
    // both profiles' two charts, and the challenges' overlays
    expect(installs.map((i) => i.from)).toEqual(expect.arrayContaining(['profile article', 'profile article-minio', "a challenge's start"]));
    expect(new Set(installs.map((i) => i.chart))).toEqual(new Set(['kube-prometheus-stack', 'tempo-distributed']));
    const unreachable: string[] = [];
    for (const i of installs) {
      const kept = committedRender(i);
      expect(kept, `${relative(ROOT, renderedFile(i))} is missing (${i.from}): run npm run render-charts`).toBeDefined();
      // the current profile's charts (tempo-distributed 3.3.0 from grafana-community/helm-charts, kube-prometheus-stack
      // 88.5.3 with its grafana from there) have no archive in this workplace's chart folder: their committed renders
      // (made by the same helm from the charts' tags, each header says how) are read as is, and named here
      if (!renderTools(env!).archive(i.chart, i.version)) {
        unreachable.push(`${i.chart} ${i.version} (${i.from})`);
        continue;
      }
      const fresh = extractRender(i.chart, text(i));
      expect(diffPaths(kept, fresh), `${relative(ROOT, renderedFile(i))} differs from helm's render (${i.from}): run npm run render-charts`).toEqual([]);
    }
    if (unreachable.length) console.log(`renders not made again here (no chart archive): ${unreachable.join('; ')}`);
    expect(unreachable.every((u) => u.endsWith('(profile current)'))).toBe(true);
  });

  it('each challenge overlay changes in the render exactly what the challenge declares, and the embedded lab\'s configuration changes in the same field', () => {
    const withOverlays = CHALLENGES.filter((c) => c.fault.kind === 'values');
    expect(withOverlays.length).toBeGreaterThan(0);
    for (const ch of withOverlays) {
      if (ch.fault.kind !== 'values') continue;
      const overlay = ch.fault.overlay;
      const faulty = installs.find((i) => i.values.at(-1) === overlay)!;
      expect(faulty, `no install with ${overlay} in plan challenges`).toBeDefined();
      const base = installs.find((i) => i.chart === faulty.chart && i.from === 'profile article')!;
      expect([ch.id, renderDiff(text(base), text(faulty))]).toEqual([ch.id, ch.fault.renders]);
      const e = ch.embedded;
      if (!('kind' in e) || e.kind !== 'restart') continue;
      // the embedded lab: the same field, in its own configuration (Tempo) or its flags (Prometheus)
      if (e.part === 'tempo') {
        const o = processOptions('monolithic', 'all');
        const a = tempoProcess(committedRender(base) as TempoRender, o).config;
        const b = tempoProcess(committedRender(faulty) as TempoRender, o).config;
        expect([ch.id, diffPaths(a, b)]).toEqual([ch.id, ch.fault.renders.map((r) => r.replace(/^ConfigMap\/tempo-config:data\.tempo\.yaml\./, ''))]);
      } else {
        const a = prometheusProcess(committedRender(base) as PrometheusRender, { dir: '/lab', port: 9 }).args;
        const b = prometheusProcess(committedRender(faulty) as PrometheusRender, { dir: '/lab', port: 9 }).args;
        expect(a).not.toEqual(b);
      }
    }
  });

  it('an overlay with a misspelt key changes nothing in the render: the check names it', () => {
    const base = installs.find((i) => i.chart === 'tempo-distributed' && i.from === 'profile article')!;
    const f = join(mkdtempSync(join(tmpdir(), 'wb-overlay-')), 'typo.values.yaml');
    writeFileSync(f, 'global_overides:\n  metrics_generator_processors: []\n');
    const typo = { ...base, values: [...base.values, f] };
    expect(renderDiff(text(base), helmTemplate(typo))).toEqual([]);
  });
});

/** One process' options, with made-up ports (the table's rows do not depend on their numbers). */
function processOptions(layout: Layout, name: string) {
  const names = layout === 'monolithic' ? ['all'] : [...MICROSERVICES];
  const ports = Object.fromEntries(names.map((n, i) => [n, { http: 10_000 + i * 3, grpc: 10_001 + i * 3, memberlist: 10_002 + i * 3 }]));
  const receivers = { 'jaeger.protocols.grpc': 11_000, 'jaeger.protocols.thrift_binary': 11_001, 'jaeger.protocols.thrift_compact': 11_002, 'jaeger.protocols.thrift_http': 11_003, opencensus: 11_004, 'otlp.protocols.grpc': 11_005, 'otlp.protocols.http': 11_006, zipkin: 11_007 };
  return { layout, name, dir: '/lab/tempo', ports, receivers, prometheusUrl: 'http://127.0.0.1:9', overridesFile: '/lab/tempo/runtime-config/overrides.yaml', configFile: `/lab/tempo/${name}.yaml` };
}

describe('the embedded lab\'s Tempo is the chart\'s render but for its change table', () => {
  const render = committedRender({ chart: 'tempo-distributed', version: '1.6.5', values: ['manifests/tempo-distributed.values.yaml'] }) as TempoRender;

  it('every process of both layouts: no undeclared difference, no row that changes nothing', () => {
    for (const [layout, names] of [['monolithic', ['all']], ['microservices', [...MICROSERVICES]]] as const) {
      for (const name of names) {
        const { config, changes, args } = tempoProcess(render, processOptions(layout, name));
        expect([layout, name, drift(render, config, changes)]).toEqual([layout, name, { undeclared: [], idle: [] }]);
        // the chart's arguments, the target and the configuration file localised
        expect(args[0]).toBe(`-target=${layout === 'monolithic' ? 'all' : name.replace(/-\d$/, '')}`);
        expect(args).toContain('-mem-ballast-size-mbs=1024');
        // every ring has an address: no interface name is needed
        for (const ring of ['distributor.ring.instance_addr', 'metrics_generator.ring.instance_addr', 'compactor.ring.instance_addr', 'ingester.lifecycler.address']) expect(ring.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], config)).toBe('127.0.0.1');
        // as in the chart: no usage reported to Grafana Labs
        expect(config.usage_report).toEqual({ reporting_enabled: false });
      }
    }
    // each process keeps its own volume, as each pod does
    const a = tempoProcess(render, processOptions('microservices', 'ingester-0')).config as { storage: { trace: { local: { path: string } } } };
    const q = tempoProcess(render, processOptions('microservices', 'querier')).config as { storage: { trace: { local: { path: string } } } };
    expect(a.storage.trace.local.path).toBe('/lab/tempo/ingester-0/var/tempo/traces');
    expect(q.storage.trace.local.path).toBe('/lab/tempo/querier/var/tempo/traces');
  });

  it('the current profile (Tempo 3.0.3, chart 3.3.0): one process, no undeclared difference, no row that changes nothing', () => {
    const current = committedRender({ chart: 'tempo-distributed', version: '3.3.0', values: ['manifests/current/tempo-distributed.values.yaml'] }) as TempoRender;
    const { config, changes, args } = tempoProcess(current, processOptions('monolithic', 'all'));
    expect(drift(current, config, changes)).toEqual({ undeclared: [], idle: [] });
    expect(args).toEqual(['-target=all', '-config.file=/lab/tempo/all.yaml']);
    // Tempo 3's rings and its scheduler on loopback; no Kafka for one process; no 2.x block was made up
    const at = (path: string) => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], config);
    for (const ring of ['distributor.ring.instance_addr', 'metrics_generator.ring.instance_addr', 'live_store.ring.instance_addr', 'backend_worker.ring.instance_addr']) expect([ring, at(ring)]).toEqual([ring, '127.0.0.1']);
    expect(at('backend_worker.backend_scheduler_addr')).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(config).not.toHaveProperty('ingest');
    expect(config).not.toHaveProperty('ingester');
    expect(config).not.toHaveProperty('compactor');
    // its microservices, with the lab's Kafka broker: every process declared, each live-store and block-builder named
    // with its ordinal (its partition), the broker on loopback
    const names = [...MICROSERVICES_3];
    const ports = Object.fromEntries(names.map((n, i) => [n, { http: 12_000 + i * 3, grpc: 12_001 + i * 3, memberlist: 12_002 + i * 3 }]));
    for (const name of names) {
      const p = tempoProcess(current, { ...processOptions('microservices', name), ports, kafka: '127.0.0.1:19092' });
      expect([name, drift(current, p.config, p.changes)]).toEqual([name, { undeclared: [], idle: [] }]);
      const get = (path: string) => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], p.config);
      expect(get('ingest.kafka.address')).toBe('127.0.0.1:19092');
      if (name.startsWith('live-store-')) expect(get('live_store.ring.instance_id')).toBe(name);
      if (name.startsWith('block-builder-')) expect(get('block_builder.instance_id')).toBe(name);
      expect(p.args[0]).toBe(`-target=${name.replace(/-\d$/, '')}`);
    }
  });

  it('the MinIO profile: its s3 block kept, only the endpoint is this machine\'s S3 server', () => {
    const minio = committedRender({ chart: 'tempo-distributed', version: '1.6.5', values: ['manifests/tempo-distributed.values.yaml', 'manifests/overlays/tempo-minio.values.yaml'] }) as TempoRender;
    for (const name of [...MICROSERVICES]) {
      const { config, changes } = tempoProcess(minio, { ...processOptions('microservices', name), s3Endpoint: '127.0.0.1:9999' });
      expect([name, drift(minio, config, changes)]).toEqual([name, { undeclared: [], idle: [] }]);
      expect((config as { storage: { trace: { backend: string; s3: { endpoint: string; bucket: string } } } }).storage.trace).toMatchObject({ backend: 's3', s3: { endpoint: '127.0.0.1:9999', bucket: 'tempo-traces' } });
    }
  });

  it('a field changed by hand is named', () => {
    const { config, changes } = tempoProcess(render, processOptions('monolithic', 'all'));
    (config.server as Record<string, unknown>).grpc_server_max_recv_msg_size = 16 * 1024 * 1024;
    (config.compactor as { compaction: Record<string, unknown> }).compaction.block_retention = '1h';
    expect(drift(render, config, changes)).toEqual({ undeclared: ['compactor.compaction.block_retention', 'server.grpc_server_max_recv_msg_size'], idle: [] });
    // and a row whose change is undone
    (config.server as Record<string, unknown>).http_listen_address = undefined;
    expect(drift(render, config, changes).idle).toEqual(['server.http_listen_address']);
  });
});
