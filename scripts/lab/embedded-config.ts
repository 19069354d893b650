// The embedded lab's configuration, generated from the same manifests the kind lab installs, so the two cannot
// drift: Tempo's receivers, metrics generator (processors, remote write with exemplars), overrides and retention
// come from manifests/tempo-distributed.values.yaml; Prometheus' flags from manifests/prometheus-stack.values.yaml.
// Only what a Kubernetes cluster provides is replaced: addresses (127.0.0.1 and free ports instead of services),
// the ring's store (in memory, or memberlist on loopback), and storage paths (under the state folder).
// Config keys are Tempo 2.2.2's (grafana/tempo@v2.2.2:docs/sources/tempo/configuration/_index.md).
import { join } from 'node:path';
import { mergeValues } from './values.js';

export type Layout = 'monolithic' | 'microservices';

/** The microservices processes, as tempo-distributed deploys them (three ingesters: values ingester.replicas). */
export const MICROSERVICES = ['distributor', 'ingester-0', 'ingester-1', 'ingester-2', 'query-frontend', 'querier', 'compactor', 'metrics-generator'] as const;

export interface TempoPorts {
  http: number;
  grpc: number;
  memberlist: number;
}

interface TempoValues {
  multitenancyEnabled?: boolean;
  global_overrides?: { metrics_generator_processors?: string[] };
  ingester?: { replicas?: number; config?: { replication_factor?: number } };
  metricsGenerator?: { config?: { storage?: { remote_write?: { url?: string; send_exemplars?: boolean }[] } } };
  compactor?: { config?: { compaction?: { block_retention?: string } } };
  traces?: { otlp?: { http?: { enabled?: boolean }; grpc?: { enabled?: boolean } } };
}

interface PrometheusValues {
  prometheus?: { prometheusSpec?: { enableFeatures?: string[]; enableRemoteWriteReceiver?: boolean } };
}

/** Prometheus' command line: the receiver and the features the values switch on. */
export function prometheusArgs(o: { dir: string; port: number; overlays?: string[] }): string[] {
  const v = mergeValues<PrometheusValues>(['manifests/prometheus-stack.values.yaml', ...(o.overlays ?? [])]).prometheus?.prometheusSpec ?? {};
  return [
    `--config.file=${join(o.dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(o.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${o.port}`,
    // ours: a learner's heavy query (an exercise answer) ends with an error instead of taking the lab's memory
    // (Prometheus' defaults: 2m and 50,000,000 samples; the lab's series are a few thousand)
    '--query.timeout=30s',
    '--query.max-samples=5000000',
    ...(v.enableRemoteWriteReceiver ? ['--web.enable-remote-write-receiver'] : []),
    ...(v.enableFeatures?.length ? [`--enable-feature=${v.enableFeatures.join(',')}`] : []),
  ];
}

/** Where the metrics generator writes: the values' remote_write, each URL moved from the cluster's service to this Prometheus (its path kept). */
function remoteWrite(v: TempoValues, prometheusUrl: string) {
  return (v.metricsGenerator?.config?.storage?.remote_write ?? []).map((rw) => {
    const path = rw.url ? new URL(rw.url).pathname : '/api/v1/write';
    return { url: `${prometheusUrl}${path}`, send_exemplars: rw.send_exemplars ?? false };
  });
}

/**
 * One Tempo configuration per process: `all` (monolithic), or one component of the microservices layout. The ports
 * of every process are known to each (memberlist members, the frontend's gRPC address).
 */
export function tempoConfig(o: {
  layout: Layout;
  name: string;
  dir: string;
  ports: Record<string, TempoPorts>;
  otlp: { grpc: number; http: number };
  prometheusUrl: string;
  overlays?: string[];
}): Record<string, unknown> {
  const v = mergeValues<TempoValues>(['manifests/tempo-distributed.values.yaml', ...(o.overlays ?? [])]);
  const me = o.ports[o.name]!;
  const monolithic = o.layout === 'monolithic';
  const members = Object.values(o.ports).map((p) => `127.0.0.1:${p.memberlist}`);
  const ring = monolithic ? { kvstore: { store: 'inmemory' } } : { kvstore: { store: 'memberlist' } };
  const frontend = o.ports[monolithic ? 'all' : 'query-frontend']!;
  const protocols: Record<string, unknown> = {};
  if (v.traces?.otlp?.grpc?.enabled) protocols.grpc = { endpoint: `127.0.0.1:${o.otlp.grpc}` };
  if (v.traces?.otlp?.http?.enabled) protocols.http = { endpoint: `127.0.0.1:${o.otlp.http}` };
  const own = join(o.dir, o.name);
  return {
    target: monolithic ? 'all' : o.name.startsWith('ingester') ? 'ingester' : o.name,
    multitenancy_enabled: v.multitenancyEnabled ?? false,
    // as the chart renders it (tempo-distributed 1.6.5 templates/configmap-tempo.yaml: reporting_enabled from
    // values reportingEnabled, false in our values): a learner's Tempo reports no usage to Grafana Labs
    usage_report: { reporting_enabled: false },
    server: { http_listen_address: '127.0.0.1', http_listen_port: me.http, grpc_listen_address: '127.0.0.1', grpc_listen_port: me.grpc, log_level: 'info' },
    memberlist: { bind_addr: ['127.0.0.1'], bind_port: me.memberlist, ...(monolithic ? {} : { join_members: members, abort_if_cluster_join_fails: false }) },
    // every ring gets this machine's loopback address: without one Tempo looks for eth0/en0 and dies on a laptop
    // whose interface is wlp2s0 ("no useable address found for interfaces [eth0 en0]")
    distributor: { ring: { ...ring, instance_addr: '127.0.0.1' }, receivers: { otlp: { protocols } } },
    ingester: {
      lifecycler: {
        ...(monolithic ? {} : { id: o.name }),
        address: '127.0.0.1',
        // the lab comes up in seconds (ours: Tempo's defaults wait 15 s before an ingester reports ready)
        min_ready_duration: '0s',
        join_after: '0s',
        final_sleep: '0s',
        // one process has one ingester; the microservices lab has the values' three and their replication factor
        ring: { ...ring, replication_factor: monolithic ? 1 : (v.ingester?.config?.replication_factor ?? 3) },
      },
    },
    querier: { frontend_worker: { frontend_address: `127.0.0.1:${frontend.grpc}` } },
    // ours: the compactor waits a minute for its ring to settle before Tempo reports started
    // (compactor.ring.wait-stability-min-duration, default 1m: grafana/tempo@v2.2.2 modules/compactor/compactor_ring.go)
    compactor: { ring: { ...ring, instance_addr: '127.0.0.1', wait_stability_min_duration: '0s' }, compaction: { block_retention: v.compactor?.config?.compaction?.block_retention ?? '48h' } },
    metrics_generator: {
      ring: { ...ring, instance_addr: '127.0.0.1' },
      storage: { path: join(own, 'generator'), remote_write: remoteWrite(v, o.prometheusUrl) },
    },
    overrides: { metrics_generator_processors: v.global_overrides?.metrics_generator_processors ?? [] },
    // the article's `backend: local`: one folder the processes share
    storage: { trace: { backend: 'local', local: { path: join(o.dir, 'blocks') }, wal: { path: join(own, 'wal') } } },
  };
}
