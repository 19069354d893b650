import type { ChapterSpec, Check, Lab, Outcome, Step } from '../../scripts/core/model.js';
import { NEEDS_CLUSTER } from '../../scripts/core/model.js';
import { chartSteps } from '../../scripts/lab/helm.js';
import { kubectl } from '../../scripts/lab/tools.js';
import { tempoGeneration } from '../../scripts/core/engine.js';
import { httpReady, podsReady } from '../../scripts/lab/check-kinds.js';
import { INGESTERS, RingPageSchema, TEMPO_IDENTITY, goDurationS, readRing, readTempoConfig, ringVerdict, tempoGet } from '../../scripts/lab/tempo.js';
import { counterBy } from '../../scripts/lab/prometheus.js';
import { fill, type Text } from '../../scripts/core/text.js';
import { z } from 'zod';

export const VALUES = 'manifests/tempo-distributed.values.yaml';
export const RELEASE = 'tempo';

/** The components the article lists, with how many ready pods each needs (values: ingester.replicas 3). */
export const COMPONENTS: Record<string, number> = {
  compactor: 1,
  distributor: 1,
  gateway: 1,
  ingester: INGESTERS,
  memcached: 1,
  'metrics-generator': 1,
  querier: 1,
  'query-frontend': 1,
};

/**
 * Tempo 3.0's components as tempo-distributed 3.3.0 deploys them with manifests/current/tempo-distributed.values.yaml
 * (no ingester, no compactor; two live-stores and two block-builders, one per Kafka partition; memcached off).
 */
export const COMPONENTS_3: Record<string, number> = {
  'backend-scheduler': 1,
  'backend-worker': 1,
  'block-builder': 2,
  distributor: 1,
  gateway: 1,
  'live-store': 2,
  'metrics-generator': 1,
  querier: 1,
  'query-frontend': 1,
};
/** The components of the lab's profile: Tempo 3's where its chart is 3.x. */
export const componentsOf = (lab: Lab): Record<string, number> => (tempoGeneration(lab) === 3 ? COMPONENTS_3 : COMPONENTS);

/** The broker of a profile whose Tempo writes to Kafka (manifests/current/kafka.yaml): the chart bundles none. */
const kafkaManifest = (lab: Lab) => lab.profile.manifests?.kafka;
const KAFKA_ONLY = { when: (lab: Lab) => !!kafkaManifest(lab), otherwise: 'this profile\'s Tempo writes to no Kafka (Tempo 2 keeps recent traces in its ingesters)' };

export const steps: Step[] = [
  {
    id: 'kafka',
    title: { en: 'Start a Kafka broker for Tempo 3', 'zh-TW': '為 Tempo 3 啟動 Kafka broker' },
    why: {
      en: 'Tempo 3\'s distributor writes every trace to Kafka, and the live-stores, block-builders and metrics generator read it from there; the chart bundles no broker. One broker in KRaft mode (its own controller), in the kafka namespace, as the chart\'s own CI runs it. apply is safe to repeat.',
      'zh-TW': 'Tempo 3 的 distributor 會把每筆追蹤寫進 Kafka，live-store、block-builder 與 metrics generator 再從那裡讀取；chart 本身不附 broker。這裡以 KRaft 模式（自己兼任 controller）在 kafka 命名空間執行一個 broker，和 chart 自己的 CI 一樣。apply 可重複執行。',
    },
    manifestsFor: (lab) => [kafkaManifest(lab)!],
    onlyIf: KAFKA_ONLY,
    needsCluster: true,
    fast: 'images',
    typicalMs: 5_000,
    command: (lab) => ({ argv: kubectl(lab, 'apply', '--filename', kafkaManifest(lab)!), timeoutMs: 120_000 }),
  },
  {
    id: 'kafka-ready',
    title: { en: 'Wait for the broker', 'zh-TW': '等待 broker 就緒' },
    why: {
      en: 'Tempo\'s pods give up after some failed connections to Kafka: the chart is installed once the broker takes connections (its readiness probe: port 9092).',
      'zh-TW': 'Tempo 的 pod 在連不上 Kafka 數次後就會放棄：等 broker 能接受連線（它的就緒探針：9092 埠）再安裝 chart。',
    },
    onlyIf: KAFKA_ONLY,
    needsCluster: true,
    fast: 'images',
    typicalMs: 40_000,
    command: (lab) => ({ argv: kubectl(lab, 'rollout', 'status', '--namespace', 'kafka', 'deployment/kafka', '--timeout', '5m'), timeoutMs: 330_000 }),
  },
  ...chartSteps({
  chart: 'tempo-distributed',
  release: RELEASE,
  namespace: (lab) => lab.namespaces.tracing,
  values: VALUES,
  versionWhy: { en: 'So the pinned chart version (1.6.5 in the article, 3.3.0 today) is known locally.', 'zh-TW': '讓本機知道鎖定的 chart 版本（文章是 1.6.5，今天是 3.3.0）。' },
  typicalMs: 3 * 60_000,
  install: {
    title: { en: 'Install tempo-distributed', 'zh-TW': '安裝 tempo-distributed' },
    why: {
      en: 'Each Tempo component becomes its own Deployment or StatefulSet; the values are the article\'s, block by block in the lesson. With --wait it returns when every pod is ready (the MinIO profile waits in the next step instead).',
      'zh-TW': '每個 Tempo 元件都成為獨立的 Deployment 或 StatefulSet；values 取自文章，課文逐段說明。加上 --wait 時會等所有 pod 就緒才返回（MinIO 版本組合則改在下一步等待）。',
    },
  },
  }),
];

const NOT_READY: Text = {
  en: 'Some Tempo pods are not ready. `kubectl -n tracing get pods` and `kubectl -n tracing describe pod <name>` show why; ingesters wait for their volumes, and memory is the usual limit (chapter 0).',
  'zh-TW': '有些 Tempo pod 尚未就緒。用 `kubectl -n tracing get pods` 與 `kubectl -n tracing describe pod <名稱>` 查看原因；ingester 需要等待磁碟區，記憶體不足是最常見的限制（第 0 章）。',
};

export const RING_HINT: Text = {
  en: 'Ingesters join the ring as they start and become ACTIVE a few seconds later. With fewer than 2 ACTIVE of replication_factor 3, writes fail (no quorum). Look at `kubectl -n tracing logs tempo-ingester-0`.',
  'zh-TW': 'ingester 啟動時加入 ring，幾秒後才會變成 ACTIVE。replication_factor 為 3 時若 ACTIVE 少於 2 個，寫入會失敗（沒有法定數量）。請查看 `kubectl -n tracing logs tempo-ingester-0`。',
};

const CONFIG_UNREADABLE: Text = {
  en: 'Tempo answered, but not with its running configuration (/status/config): is --tempo-url (or the port-forward to service/tempo-query-frontend) Tempo?',
  'zh-TW': 'Tempo 有回應，但不是它執行中的設定（/status/config）：--tempo-url（或到 service/tempo-query-frontend 的 port-forward）指向的是 Tempo 嗎？',
};

export const RETENTION_HINT: Text = {
  en: 'The running configuration does not have the 48h block retention of the values: was the chart installed with manifests/tempo-distributed.values.yaml (compactor.config.compaction.block_retention)?',
  'zh-TW': '執行中的設定沒有 values 中的 48h 區塊保留期限：安裝 chart 時是否使用了 manifests/tempo-distributed.values.yaml（compactor.config.compaction.block_retention）？',
};

export const RETENTION_HINT_3: Text = {
  en: 'The running configuration does not have the 48h block retention of the values: in Tempo 3 the backend scheduler and workers keep it (backendScheduler.config.provider.compaction.compaction.block_retention in manifests/current/tempo-distributed.values.yaml).',
  'zh-TW': '執行中的設定沒有 values 中的 48h 區塊保留期限：Tempo 3 由 backend scheduler 與 worker 負責（manifests/current/tempo-distributed.values.yaml 的 backendScheduler.config.provider.compaction.compaction.block_retention）。',
};

/** Go's time.Duration string ("48h0m0s") or a YAML duration ("48h") → hours. */
export function durationHours(v: unknown): number | undefined {
  const s = goDurationS(v);
  return s === undefined ? undefined : s / 3600;
}

/** A member whose last heartbeat is older than this is not heartbeating (three of dskit's default 5 s periods, and a margin). */
const LIVE_STORE_STALE_S = 20;

/** dskit's partition ring page as JSON: each partition's state (dskit ring/partition_ring_desc.pb.go: 1 Pending, 2 Active, 3 Inactive) and owners. */
const PartitionRingSchema = z.object({ partitions: z.array(z.object({ id: z.number().int(), state: z.number().int(), owner_ids: z.array(z.string()).default([]) })).default([]) });
const PARTITION_STATES: Record<number, string> = { 1: 'Pending', 2: 'Active', 3: 'Inactive', 4: 'Deleted' };
const PARTITION_HINT: Text = {
  en: 'A partition is written and read only once it is Active with an owner (a live-store): a fresh one stays Pending for about 15 s, and the distributor answers 503 meanwhile. One without an owner, or never written: is each live-store running, and does the distributor reach Kafka (ingest.kafka.address)? Its log says which.',
  'zh-TW': '分割區要等到 Active 且有擁有者（一個 live-store）才會被寫入與讀取：新的分割區約有 15 秒處於 Pending，這段時間 distributor 會回應 503。若沒有擁有者或從未被寫入：每個 live-store 都在執行嗎？distributor 連得到 Kafka（ingest.kafka.address）嗎？它的日誌會說明。',
};

export const LIVE_STORE_DOWN: Text = {
  en: 'A live-store owns its Kafka partition alone (Tempo 3 replicates nothing itself): while one is down, writes still succeed but queries of that partition fail until it is back, where the article\'s three ingesters kept answering with one down. Start it again (embedded lab: `workbook lab start tempo-{name}`; kind: `kubectl -n tracing get pods -l app.kubernetes.io/component=live-store`); it reads its partition again from its Kafka offset.',
  'zh-TW': '每個 live-store 獨自擁有它的 Kafka 分割區（Tempo 3 本身不複寫）：其中一個停止時，寫入仍會成功，但查詢該分割區會失敗，直到它回來；文章的三個 ingester 在停掉一個時仍能回答。請再啟動它（內建實驗環境：`workbook lab start tempo-{name}`；kind：`kubectl -n tracing get pods -l app.kubernetes.io/component=live-store`）；它會從自己在 Kafka 的 offset 重新讀取分割區。',
};

export const checks: Check[] = [
  podsReady({
    id: 'pods',
    needs: [NEEDS_CLUSTER()],
    title: { en: 'every Tempo component has ready pods', 'zh-TW': '每個 Tempo 元件都有就緒的 pod' },
    clusterOnly: ['tempo', 'distributor'],
    namespace: (lab) => lab.namespaces.tracing,
    selector: `app.kubernetes.io/instance=${RELEASE}`,
    groups: { by: 'app.kubernetes.io/component', want: componentsOf },
    hint: NOT_READY,
  }),
  httpReady({
    id: 'ready',
    needs: [NEEDS_CLUSTER('tempo')],
    title: { en: 'Tempo answers /ready through the query-frontend', 'zh-TW': 'Tempo 經由 query-frontend 回應 /ready' },
    endpoint: 'tempo',
    path: '/ready',
    body: 'ready',
    is: TEMPO_IDENTITY,
    hint: { en: 'Tempo is still starting (an ingester needs about 15 s before it reports ready), or the query-frontend is not reachable.', 'zh-TW': 'Tempo 仍在啟動中（ingester 約需 15 秒才會回報就緒），或無法連到 query-frontend。' },
  }),
  {
    id: 'ingester-ring',
    microservicesOnly: true,
    tempo: 2,
    needs: [NEEDS_CLUSTER('tempo', 'distributor')],
    title: { en: 'the ingester ring has 3 ACTIVE members', 'zh-TW': 'ingester ring 有 3 個 ACTIVE 成員' },
    async probe(ctx) {
      // the ring status page lives on the distributor (--distributor-url, or service/tempo-distributor)
      const { ring, error } = await readRing(ctx);
      if (!ring) return { ok: false, evidence: error!, hint: RING_HINT };
      return ringVerdict(ring, COMPONENTS.ingester!);
    },
  },
  {
    id: 'live-store-ring',
    microservicesOnly: true,
    tempo: 3,
    needs: [NEEDS_CLUSTER('tempo', 'distributor')],
    title: { en: 'the live-store ring has one ACTIVE, heartbeating member per Kafka partition', 'zh-TW': 'live-store ring 的每個 Kafka 分割區都有一個 ACTIVE 且有心跳的成員' },
    async probe(ctx): Promise<Outcome> {
      const want = COMPONENTS_3['live-store']!;
      const r = await tempoGet(ctx, '/live-store/ring', 'distributor', { Accept: 'application/json' });
      const page = RingPageSchema.safeParse(r.json);
      if (r.status !== 200 || !page.success) return { ok: false, evidence: `GET /live-store/ring on the distributor → ${r.status} ${r.body.trim().slice(0, 60)}`, hint: RING_HINT };
      const now = Date.parse(page.data.now ?? '') || ctx.clock.now();
      const age = (t?: string) => (Number.isFinite(Date.parse(t ?? '')) ? Math.max(0, Math.round((now - Date.parse(t!)) / 1000)) : undefined);
      const live = page.data.shards.filter((m) => m.state === 'ACTIVE' && (age(m.timestamp) ?? 0) <= LIVE_STORE_STALE_S);
      const others = page.data.shards.filter((m) => !live.includes(m)).map((m) => (m.state === 'ACTIVE' ? `${m.id} not heartbeating for ${age(m.timestamp)} s (still ACTIVE in the ring)` : `${m.id} ${m.state}`));
      const evidence = `${live.length} of ${want} ACTIVE and heartbeating (${live.map((m) => m.id).join(', ') || 'none'})${others.length ? `; ${others.join('; ')}` : ''}`;
      if (live.length >= want && !others.length) return { ok: true, evidence };
      const silent = page.data.shards.find((m) => m.state === 'ACTIVE' && (age(m.timestamp) ?? 0) > LIVE_STORE_STALE_S);
      // a member that stopped heartbeating is down: named at once, as an ingester is; one still joining is waited for
      if (silent) return { ok: false, final: true, evidence, hint: fill(LIVE_STORE_DOWN, { name: silent.id }) };
      return { ok: false, evidence, hint: RING_HINT };
    },
  },
  {
    id: 'partition-ring',
    microservicesOnly: true,
    tempo: 3,
    needs: [NEEDS_CLUSTER('tempo', 'distributor')],
    title: { en: 'every Kafka partition is Active with an owner', 'zh-TW': '每個 Kafka 分割區都是 Active 且有擁有者' },
    async probe(ctx): Promise<Outcome> {
      const r = await tempoGet(ctx, '/partition-ring', 'distributor', { Accept: 'application/json' });
      const page = PartitionRingSchema.safeParse(r.json);
      if (r.status !== 200 || !page.success) return { ok: false, evidence: `GET /partition-ring on the distributor → ${r.status} ${r.body.trim().slice(0, 60)}`, hint: RING_HINT };
      const m = await tempoGet(ctx, '/metrics', 'distributor');
      const written = counterBy(m.body, 'tempo_distributor_kafka_write_bytes_total', 'partition');
      const parts = page.data.partitions.map((p) => ({ id: p.id, state: PARTITION_STATES[p.state] ?? String(p.state), owners: p.owner_ids, bytes: written.get(`partition_${p.id}`) }));
      const evidence = parts.map((p) => `partition ${p.id} ${p.state}, owner ${p.owners.join(', ') || 'none'}, ${p.bytes ?? 0} bytes written`).join('; ') || 'no partition';
      const want = COMPONENTS_3['live-store']!;
      // written or not is chapter 4's (kafka-flow): before the traffic starts, a healthy partition has nothing yet
      if (parts.length >= want && parts.every((p) => p.state === 'Active' && p.owners.length)) return { ok: true, evidence };
      return { ok: false, evidence, hint: PARTITION_HINT };
    },
  },
  {
    id: 'block-retention',
    needs: [{ check: 'tempo/ready' }],
    title: { en: 'blocks are kept for 48h (the compactor in Tempo 2, the backend workers in Tempo 3)', 'zh-TW': '區塊保留 48h（Tempo 2 由 compactor、Tempo 3 由 backend worker 負責）' },
    async probe(ctx) {
      const { config, error } = await readTempoConfig(ctx);
      if (!config) return { ok: false, evidence: error!, hint: CONFIG_UNREADABLE };
      // Tempo 3.0 has no compactor: the backend workers apply the retention (grafana-community/helm-charts@
      // tempo-distributed-3.3.0 UPGRADE.md "Architecture changes"; the chart renders backend_worker.compaction)
      const tempo3 = !config.compactor && !!config.backend_worker;
      const field = tempo3 ? 'backend_worker.compaction.block_retention' : 'compactor.compaction.block_retention';
      const got = tempo3 ? config.backend_worker?.compaction?.block_retention : config.compactor?.compaction?.block_retention;
      const evidence = `${field}: ${got ?? '(missing)'}`;
      if (durationHours(got) === 48) return { ok: true, evidence };
      return { ok: false, final: true, evidence, hint: tempo3 ? RETENTION_HINT_3 : RETENTION_HINT };
    },
  },
];

export const chapter: ChapterSpec = {
  // needs the cluster; runs alongside Prometheus under --fast
  after: ['cluster'],
  checksTypicalMs: 30_000,
  title: { en: 'Tempo in microservices mode', 'zh-TW': '微服務模式的 Tempo' },
  steps,
  checks,
};
