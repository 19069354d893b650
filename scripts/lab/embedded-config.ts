// The embedded lab's configuration: the chart's own. Tempo runs the tempo.yaml that tempo-distributed 1.6.5 renders
// from our values (manifests/rendered/, by real helm: scripts/lab/chart-render.ts), with each component's arguments
// from the chart's Deployment or StatefulSet; Prometheus runs with the flags the operator makes of the Prometheus
// resource kube-prometheus-stack renders. They are changed only where a loopback lab must differ, and every change
// is a row of the table below (field, the chart's value, the lab's, why): `workbook lab status --changes` prints it,
// and a test fails on any field that differs from the chart's render without a row.
// Config keys are Tempo 2.2.2's (grafana/tempo@v2.2.2:docs/sources/tempo/configuration/_index.md), and for the
// current profile Tempo 3.0.3's (grafana/tempo@v3.0.3, the same page).
import { join } from 'node:path';
import { diffPaths, type PrometheusRender, type TempoRender } from './chart-render.js';

export type Layout = 'monolithic' | 'microservices';

/** The microservices processes, as tempo-distributed deploys them (three ingesters: values ingester.replicas). */
export const MICROSERVICES = ['distributor', 'ingester-0', 'ingester-1', 'ingester-2', 'query-frontend', 'querier', 'compactor', 'metrics-generator'] as const;
/**
 * Tempo 3's processes, as tempo-distributed 3.3.0 deploys them with manifests/current/tempo-distributed.values.yaml:
 * two live-stores and two block-builders (one per Kafka partition: liveStore.replicas, blockBuilder.replicas), the
 * backend scheduler and worker, no ingester, no compactor.
 */
export const MICROSERVICES_3 = ['distributor', 'live-store-0', 'live-store-1', 'block-builder-0', 'block-builder-1', 'query-frontend', 'querier', 'backend-scheduler', 'backend-worker', 'metrics-generator'] as const;
/** The microservices of a Tempo generation. */
export const microservicesOf = (generation: 2 | 3): readonly string[] => (generation === 3 ? MICROSERVICES_3 : MICROSERVICES);

export interface TempoPorts {
  http: number;
  grpc: number;
  memberlist: number;
}

/** One difference between the chart's render and what the lab runs. */
export interface Change {
  field: string;
  chart: unknown;
  lab: unknown;
  why: string;
}

const REMOVED = Symbol('removed');

const get = (o: unknown, path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
function put(o: Record<string, unknown>, path: string[], value: unknown): void {
  let at = o;
  for (const k of path.slice(0, -1)) {
    if (!at[k] || typeof at[k] !== 'object') at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  if (value === REMOVED) delete at[path.at(-1)!];
  else at[path.at(-1)!] = value;
}

/** The receivers' endpoints in a render: their paths under distributor.receivers (jaeger.protocols.grpc, zipkin, …). */
export function receiverEndpoints(config: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string[]) => {
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'endpoint' && typeof x === 'string') out.push(path.join('.'));
      else walk(x, [...path, k]);
    }
  };
  walk(get(config, ['distributor', 'receivers']), []);
  return out.sort();
}

export interface TempoProcessOptions {
  layout: Layout;
  /** 'all', or one of MICROSERVICES */
  name: string;
  /** the lab's Tempo folder: each process keeps its own under it, as each pod has its own volume */
  dir: string;
  ports: Record<string, TempoPorts>;
  /** each receiver endpoint's port, by its path (receiverEndpoints) */
  receivers: Record<string, number>;
  prometheusUrl: string;
  /** where the runtime overrides file is written */
  overridesFile: string;
  configFile: string;
  /** the S3-compatible server, when the render keeps blocks in an object store (the MinIO profile) */
  s3Endpoint?: string;
  /** Tempo 3's microservices: the lab's Kafka broker, host:port */
  kafka?: string;
}

/**
 * One process' configuration and command line, localised from the chart's render; every change recorded. Addresses
 * become 127.0.0.1 and free ports, the gossip ring's service its members on loopback, pod volumes folders, the
 * memcached cache is left out (none runs on a laptop), and the startup waits meant for a rolling cluster are 0 s.
 */
export function tempoProcess(render: TempoRender, o: TempoProcessOptions): { config: Record<string, unknown>; args: string[]; changes: Change[] } {
  const config = structuredClone(render.config) as Record<string, unknown>;
  const changes: Change[] = [];
  const set = (field: string, lab: unknown, why: string) => {
    const path = field.split('.');
    const chart = get(render.config, path);
    put(config, path, lab);
    changes.push({ field, chart: chart === undefined ? '(not set)' : chart, lab: lab === REMOVED ? '(removed)' : lab, why });
  };
  const monolithic = o.layout === 'monolithic';
  const me = o.ports[o.name]!;
  const own = join(o.dir, o.name);
  const frontend = o.ports[monolithic ? 'all' : 'query-frontend']!;
  const LOOPBACK = 'a pod IP or a service: here this machine\'s loopback, on a free port';

  set('server.http_listen_address', '127.0.0.1', LOOPBACK);
  set('server.http_listen_port', me.http, LOOPBACK);
  set('server.grpc_listen_address', '127.0.0.1', LOOPBACK);
  set('server.grpc_listen_port', me.grpc, LOOPBACK);
  for (const r of receiverEndpoints(render.config)) set(`distributor.receivers.${r}.endpoint`, `127.0.0.1:${o.receivers[r]}`, 'receivers listen on 0.0.0.0 in a pod: here on loopback only');
  set('memberlist.bind_addr', ['127.0.0.1'], 'the gossip ring binds to loopback');
  set('memberlist.bind_port', me.memberlist, LOOPBACK);
  set('memberlist.join_members', Object.values(o.ports).map((p) => `127.0.0.1:${p.memberlist}`), 'the gossip-ring service (DNS) becomes the list of the processes\' members on loopback');
  set('querier.frontend_worker.frontend_address', `127.0.0.1:${frontend.grpc}`, 'the query-frontend-discovery service becomes its gRPC port on loopback');
  // every ring gets an address: without one Tempo looks for eth0/en0, which a laptop (wlp2s0, enp0s31f6) lacks
  const RING = 'a pod\'s IP on eth0: here 127.0.0.1, so no interface name is needed (a laptop has wlp2s0, not eth0)';
  // Tempo 2.x has ingesters and a compactor; Tempo 3.0 has neither (live-stores, a block-builder, a backend scheduler
  // and workers instead: grafana-community/helm-charts@tempo-distributed-3.3.0 UPGRADE.md): only the blocks the
  // render has are localised (Tempo 3.0 refuses a key it does not know)
  const has = (block: string) => get(render.config, [block]) !== undefined;
  if (has('ingester')) set('ingester.lifecycler.address', '127.0.0.1', RING);
  set('distributor.ring.instance_addr', '127.0.0.1', RING);
  set('metrics_generator.ring.instance_addr', '127.0.0.1', RING);
  if (has('compactor')) set('compactor.ring.instance_addr', '127.0.0.1', RING);
  if (has('live_store')) set('live_store.ring.instance_addr', '127.0.0.1', RING);
  if (has('backend_worker')) {
    set('backend_worker.ring.instance_addr', '127.0.0.1', RING);
    const scheduler = o.ports[monolithic ? 'all' : 'backend-scheduler'];
    if (scheduler) set('backend_worker.backend_scheduler_addr', `127.0.0.1:${scheduler.grpc}`, 'the backend-scheduler service becomes its gRPC port on loopback');
  }
  if (!monolithic && has('ingester')) set('ingester.lifecycler.id', o.name, 'a pod\'s hostname names it in the ring: here the process\' name');
  // one Tempo 3 process holds every module: the distributor hands spans to its live-store and metrics generator
  // in-process, with no Kafka (../shared/reference/tempo-3-on-loopback: ready in about 10 s, chapters 5 and 6 pass)
  if (monolithic && has('ingest')) set('ingest', REMOVED, 'Kafka carries the writes between a cluster\'s components; one process (-target=all) needs none');
  if (!monolithic && has('ingest') && o.kafka) set('ingest.kafka.address', o.kafka, 'the Kafka service becomes the lab\'s broker on loopback (Apache Kafka in KRaft mode, one node)');
  // a StatefulSet pod's name ends in its ordinal, which gives its Kafka partition: here the process' name, the same ordinal
  const ORDINAL = 'a StatefulSet pod\'s name (tempo-live-store-0, …) names it and its ordinal gives its partition: here the process\' name, ending in the same ordinal';
  if (!monolithic && has('live_store') && o.name.startsWith('live-store-')) set('live_store.ring.instance_id', o.name, ORDINAL);
  if (!monolithic && has('block_builder') && o.name.startsWith('block-builder-')) {
    set('block_builder.instance_id', o.name, ORDINAL);
    // grafana/tempo@v3.0.3 modules/blockbuilder/config.go:85: consume-cycle-duration defaults to 5m
    set('block_builder.consume_cycle_duration', '15s', 'a cluster\'s block-builder consumes every 5 minutes (Tempo 3.0.3\'s default): the lab\'s every 15 s, so a learner sees its first block within a minute');
  }
  if (!monolithic && has('ingest') && o.name === 'metrics-generator') set('metrics_generator.instance_id', 'metrics-generator-0', 'a pod\'s name (its Kafka consumer\'s identity): here one fixed name');
  const volume = (p: unknown) => (typeof p === 'string' && p.startsWith('/var/tempo') ? join(own, p) : p);
  const VOLUME = 'a pod\'s own volume (/var/tempo) becomes this process\' own folder: as on the cluster, no two share one';
  for (const f of ['ingester.lifecycler.tokens_file_path', 'metrics_generator.storage.path', 'storage.trace.local.path', 'storage.trace.wal.path', 'backend_scheduler.local_work_path']) {
    const chart = get(render.config, f.split('.'));
    if (typeof chart === 'string') set(f, volume(chart), VOLUME);
  }
  // Tempo 3's live-store and block-builder keep WALs at defaults under /var/tempo the render does not set
  // (grafana/tempo@v3.0.3 modules/livestore/config.go:138–139, modules/blockbuilder/config.go:90): without their own
  // folder two labs would share this machine's /var/tempo (and a learner who is not root could not create it)
  const DEFAULT_VOLUME = 'Tempo\'s default under /var/tempo (the pod\'s volume; the chart sets none): this process\' own folder';
  if (has('live_store')) {
    set('live_store.wal', { path: join(own, '/var/tempo/live-store/traces') }, DEFAULT_VOLUME);
    set('live_store.shutdown_marker_dir', join(own, '/var/tempo/live-store/shutdown-marker'), DEFAULT_VOLUME);
  }
  if (has('block_builder')) set('block_builder.wal', { path: join(own, '/var/tempo/block-builder/traces') }, DEFAULT_VOLUME);
  set('overrides.per_tenant_override_config', o.overridesFile, 'the runtime overrides ConfigMap, mounted at /runtime-config, becomes a file beside the configuration');
  const rw = get(render.config, ['metrics_generator', 'storage', 'remote_write']);
  if (Array.isArray(rw)) set('metrics_generator.storage.remote_write', rw.map((w: { url?: string }) => ({ ...w, url: `${o.prometheusUrl}${w.url ? new URL(w.url).pathname : '/api/v1/write'}` })), 'the Prometheus service becomes this lab\'s Prometheus on loopback (the path is the chart\'s)');
  if (get(render.config, ['storage', 'trace', 'backend']) === 's3' && o.s3Endpoint) {
    set('storage.trace.s3.endpoint', o.s3Endpoint, 'the MinIO service becomes the S3-compatible server given with --s3-endpoint (bucket and keys are the chart\'s)');
  }
  if (get(render.config, ['storage', 'trace', 'cache']) !== undefined) {
    set('storage.trace.cache', REMOVED, 'no memcached runs beside the lab: Tempo reads its blocks without a cache (slower on a large backend; the lab\'s is small)');
    set('storage.trace.memcached', REMOVED, 'the same: no memcached');
  }
  const WAIT = 'a rolling cluster waits before a member counts (Tempo\'s defaults); the lab starts all at once, so it waits 0 s';
  if (has('ingester')) {
    set('ingester.lifecycler.min_ready_duration', '0s', WAIT);
    set('ingester.lifecycler.join_after', '0s', WAIT);
    set('ingester.lifecycler.final_sleep', '0s', WAIT);
  }
  // grafana/tempo@v2.2.2 modules/compactor/compactor_ring.go: wait-stability-min-duration, default 1m
  if (has('compactor')) set('compactor.ring.wait_stability_min_duration', '0s', 'the compactor waits a minute for its ring to settle before Tempo reports ready; the lab does not');

  const target = monolithic ? 'all' : o.name.replace(/-\d+$/, '');
  const chartArgs = render.args[monolithic ? 'distributor' : target] ?? [`-target=${target}`, '-config.file=/conf/tempo.yaml'];
  const args = chartArgs.map((a) => (a.startsWith('-target=') ? `-target=${target}` : a.startsWith('-config.file=') ? `-config.file=${o.configFile}` : a));
  changes.push({ field: 'args -config.file', chart: chartArgs.find((a) => a.startsWith('-config.file=')), lab: `-config.file=${o.configFile}`, why: 'the ConfigMap mounted at /conf becomes a file' });
  if (monolithic) changes.push({ field: 'args -target', chart: '(one Deployment per component)', lab: '-target=all', why: 'the monolithic lab runs every component in one process (--microservices runs them as the chart does)' });
  return { config, args, changes };
}

/** Prometheus' command line: the flags the operator makes of the rendered Prometheus resource, on loopback. */
export function prometheusProcess(render: PrometheusRender, o: { dir: string; port: number }): { args: string[]; changes: Change[] } {
  const s = render.spec;
  const args = [
    `--config.file=${join(o.dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(o.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${o.port}`,
    // ours: a learner's heavy query (an exercise answer) ends with an error instead of taking the lab's memory
    // (Prometheus' defaults: 2m and 50,000,000 samples; the lab's series are a few thousand)
    '--query.timeout=30s',
    '--query.max-samples=5000000',
    // the operator's flags of the resource (prometheus-operator: retention → --storage.tsdb.retention.time)
    ...(typeof s.retention === 'string' ? [`--storage.tsdb.retention.time=${s.retention}`] : []),
    ...(s.enableRemoteWriteReceiver ? ['--web.enable-remote-write-receiver'] : []),
    ...(s.enableFeatures?.length ? [`--enable-feature=${s.enableFeatures.join(',')}`] : []),
  ];
  const changes: Change[] = [
    { field: 'web.listen-address', chart: '0.0.0.0:9090 (the pod)', lab: `127.0.0.1:${o.port}`, why: 'loopback, a free port' },
    { field: 'storage.tsdb.path', chart: '/prometheus (an emptyDir)', lab: join(o.dir, 'data'), why: 'a folder; emptied when Prometheus restarts, as the emptyDir is' },
    { field: 'config.file', chart: 'the operator\'s scrape configuration (ServiceMonitors)', lab: 'no scrape jobs', why: 'no Kubernetes to discover: the lab\'s checks read Tempo\'s and Prometheus\' own APIs' },
    { field: 'query.timeout', chart: '2m (default)', lab: '30s', why: 'a learner\'s heavy query ends with an error instead of taking the lab\'s memory' },
    { field: 'query.max-samples', chart: '50000000 (default)', lab: '5000000', why: 'the same' },
  ];
  return { args, changes };
}

/**
 * The drift check: the fields where a process' configuration differs from the chart's render without a row in the
 * change table, and the rows that change nothing. Both empty, or the lab is not the chart's Tempo.
 */
export function drift(render: TempoRender, config: Record<string, unknown>, changes: readonly Change[]): { undeclared: string[]; idle: string[] } {
  const differs = diffPaths(render.config, config);
  const declared = new Set(changes.filter((c) => !c.field.startsWith('args ')).map((c) => c.field));
  return { undeclared: differs.filter((p) => !declared.has(p)), idle: [...declared].filter((f) => !differs.includes(f)) };
}
