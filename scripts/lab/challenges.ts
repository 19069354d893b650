// Break-and-fix challenges (`workbook challenge`): the article's own warnings, put into the learner's lab with the
// real tools, each with the symptom a user would see, the checks it breaks and three escalating hints. The faults
// become steps like any chapter's (shown first, confirmed, in `plan`), built here from the chapters' own install
// steps, so a challenge's reset is exactly the article's install.
import { join } from 'node:path';
import type { Chapter, Challenge, Command, EmbeddedFault, Fault, Lab, LabContext, Step } from '../core/model.js';
import { ROOT } from '../core/paths.js';
import { UsageError } from '../core/errors.js';
import type { Text } from '../core/text.js';
import { helm, kubectl } from './tools.js';

const tracing = (lab: Lab) => lab.namespaces.tracing;

export const CHALLENGES: readonly Challenge[] = [
  {
    id: 'dots-gone',
    title: { en: 'Metrics without trace links', 'zh-TW': '有指標，卻沒有追蹤連結' },
    symptom: {
      en: 'The span-metrics panels still draw their lines, but the exemplar dots are gone: there is nothing to click through to a trace.',
      'zh-TW': 'span 指標面板的折線還在，但 exemplar 的小點不見了：沒有東西可以點進追蹤。',
    },
    chapter: 'metrics-generator',
    breaks: ['prometheus/exemplar-storage', 'metrics-generator/exemplars'],
    hints: [
      { en: 'Metrics arrive, so the write path works. Look at what Prometheus keeps of each write: `workbook verify prometheus`.', 'zh-TW': '指標有進來，所以寫入路徑沒問題。看看 Prometheus 對每次寫入保留了什麼：`workbook verify prometheus`。' },
      { en: 'Prometheus keeps exemplars only with a feature flag. Its flags page (Status → Command-Line Flags, or /api/v1/status/flags) lists the features it runs with.', 'zh-TW': 'Prometheus 只有在開啟某個功能旗標時才會保留 exemplar。它的旗標頁面（Status → Command-Line Flags，或 /api/v1/status/flags）會列出啟用的功能。' },
      { en: 'The feature is exemplar-storage: `prometheus.prometheusSpec.enableFeatures: [exemplar-storage]` in manifests/prometheus-stack.values.yaml, then `workbook run prometheus` (or `workbook challenge reset dots-gone`).', 'zh-TW': '這個功能是 exemplar-storage：在 manifests/prometheus-stack.values.yaml 設定 `prometheus.prometheusSpec.enableFeatures: [exemplar-storage]`，再執行 `workbook run prometheus`（或 `workbook challenge reset dots-gone`）。' },
    ],
    // Prometheus without --enable-feature=exemplar-storage drops remote-written exemplars (enableFeatures, default [],
    // prometheus-community/helm-charts@kube-prometheus-stack-51.2.0 charts/kube-prometheus-stack/values.yaml)
    fault: { kind: 'values', chapter: 'prometheus', overlay: 'manifests/challenges/dots-gone.values.yaml' },
    embedded: { kind: 'restart', part: 'prometheus', overlay: 'manifests/challenges/dots-gone.values.yaml' },
  },
  {
    id: 'exemplars-never-arrive',
    title: { en: 'Series without exemplars', 'zh-TW': '沒有 exemplar 的序列' },
    symptom: {
      en: 'Service-graph and span-metrics series are in Prometheus and keep growing, yet "Query with exemplars" finds none.',
      'zh-TW': '服務圖與 span 指標的序列都在 Prometheus 裡而且持續增加，但「Query with exemplars」一個也找不到。',
    },
    chapter: 'metrics-generator',
    breaks: ['metrics-generator/exemplars'],
    hints: [
      { en: 'Prometheus stores exemplars (chapter 2 passes). Look at the sender: how the metrics generator remote-writes.', 'zh-TW': 'Prometheus 有儲存 exemplar（第 2 章通過）。看看送出的一方：metrics generator 如何 remote write。' },
      { en: 'Each remote_write entry of the generator decides for itself whether exemplars go along. `workbook verify metrics-generator` reads Tempo\'s /status/config.', 'zh-TW': 'generator 的每個 remote_write 項目各自決定是否連同 exemplar 一起送出。`workbook verify metrics-generator` 會讀取 Tempo 的 /status/config。' },
      { en: '`send_exemplars: true` on the remote_write entry (metricsGenerator.config.storage.remote_write in manifests/tempo-distributed.values.yaml), then `workbook run tempo` (or `workbook challenge reset exemplars-never-arrive`).', 'zh-TW': '在 remote_write 項目設定 `send_exemplars: true`（manifests/tempo-distributed.values.yaml 的 metricsGenerator.config.storage.remote_write），再執行 `workbook run tempo`（或 `workbook challenge reset exemplars-never-arrive`）。' },
    ],
    // helm replaces lists whole: the remote_write entry restated with send_exemplars off (Prometheus' remote_write
    // config; grafana/tempo@v2.2.2 modules/generator/storage/config.go)
    fault: { kind: 'values', chapter: 'tempo', overlay: 'manifests/challenges/exemplars-never-arrive.values.yaml' },
    embedded: { kind: 'restart', part: 'tempo', overlay: 'manifests/challenges/exemplars-never-arrive.values.yaml' },
  },
  {
    id: 'empty-service-graph',
    title: { en: 'An empty service graph', 'zh-TW': '空白的服務圖' },
    symptom: {
      en: 'Traces are searchable in Tempo, but the service graph is empty and no span-metrics series appear.',
      'zh-TW': '在 Tempo 查得到追蹤，但服務圖是空的，也沒有任何 span 指標序列。',
    },
    chapter: 'metrics-generator',
    breaks: ['metrics-generator/series', 'metrics-generator/service-graph-edges', 'metrics-generator/span-metrics'],
    hints: [
      { en: 'Traces arrive, Prometheus accepts writes: look at what the metrics generator is told to make.', 'zh-TW': '追蹤有進來，Prometheus 也接受寫入：看看 metrics generator 被設定要產生什麼。' },
      { en: 'The generator runs only the processors the overrides list. `workbook verify metrics-generator` reads them from Tempo\'s /status/config.', 'zh-TW': 'generator 只會執行 overrides 中列出的 processor。`workbook verify metrics-generator` 會從 Tempo 的 /status/config 讀出它們。' },
      { en: '`global_overrides.metrics_generator_processors: [service-graphs, span-metrics]` in manifests/tempo-distributed.values.yaml, then `workbook run tempo` (or `workbook challenge reset empty-service-graph`).', 'zh-TW': '在 manifests/tempo-distributed.values.yaml 設定 `global_overrides.metrics_generator_processors: [service-graphs, span-metrics]`，再執行 `workbook run tempo`（或 `workbook challenge reset empty-service-graph`）。' },
    ],
    // no processors in the overrides: the generator makes no series (grafana/tempo@v2.2.2
    // modules/overrides/limits.go MetricsGeneratorProcessors)
    fault: { kind: 'values', chapter: 'tempo', overlay: 'manifests/challenges/empty-service-graph.values.yaml' },
    embedded: { kind: 'restart', part: 'tempo', overlay: 'manifests/challenges/empty-service-graph.values.yaml' },
  },
  {
    id: 'no-series',
    title: { en: 'Nothing lands in Prometheus', 'zh-TW': 'Prometheus 什麼都沒收到' },
    symptom: {
      en: 'Traces are in Tempo, but Prometheus has no traces_* series at all, and the metrics generator\'s logs keep complaining.',
      'zh-TW': 'Tempo 裡有追蹤，但 Prometheus 完全沒有 traces_* 序列，metrics generator 的日誌也一直在抱怨。',
    },
    chapter: 'metrics-generator',
    breaks: ['prometheus/remote-write-receiver', 'metrics-generator/series'],
    hints: [
      { en: 'The generator makes series and sends them. Look at whether Prometheus takes them: `workbook verify prometheus`.', 'zh-TW': 'generator 有產生序列也有送出。看看 Prometheus 是否接收：`workbook verify prometheus`。' },
      { en: 'Prometheus answers pushes on /api/v1/write only when its remote-write receiver is on; its flags page shows whether it is.', 'zh-TW': 'Prometheus 只有在開啟 remote-write receiver 時才會在 /api/v1/write 接收推送；它的旗標頁面會顯示是否開啟。' },
      { en: '`prometheus.prometheusSpec.enableRemoteWriteReceiver: true` in manifests/prometheus-stack.values.yaml, then `workbook run prometheus` (or `workbook challenge reset no-series`).', 'zh-TW': '在 manifests/prometheus-stack.values.yaml 設定 `prometheus.prometheusSpec.enableRemoteWriteReceiver: true`，再執行 `workbook run prometheus`（或 `workbook challenge reset no-series`）。' },
    ],
    // enableRemoteWriteReceiver false: no /api/v1/write (default false in
    // prometheus-community/helm-charts@kube-prometheus-stack-51.2.0 charts/kube-prometheus-stack/values.yaml)
    fault: { kind: 'values', chapter: 'prometheus', overlay: 'manifests/challenges/no-series.values.yaml' },
    embedded: { kind: 'restart', part: 'prometheus', overlay: 'manifests/challenges/no-series.values.yaml' },
  },
  {
    id: 'writes-failing',
    title: { en: 'Writes that fail', 'zh-TW': '寫入失敗' },
    symptom: {
      en: 'New traces stop appearing; the trace generator keeps sending, and the distributor answers its pushes with errors.',
      'zh-TW': '新的追蹤不再出現；追蹤產生器仍在送出，而 distributor 對它的推送回應錯誤。',
    },
    chapter: 'tempo',
    breaks: ['tempo/pods', 'tempo/ingester-ring', 'traffic/spans-received'],
    hints: [
      { en: 'The distributor is up and receives spans. Look at where it hands them on: the ingesters, and the ring that lists them.', 'zh-TW': 'distributor 有在運作也有收到 span。看看它把 span 交給誰：ingester，以及列出它們的 ring。' },
      { en: 'Each write goes to replication_factor ingesters and needs a quorum of them. `workbook verify tempo` shows the ring; `kubectl -n tracing get statefulset tempo-ingester` how many there are.', 'zh-TW': '每次寫入會送到 replication_factor 個 ingester，並需要其中過半數成功。`workbook verify tempo` 會顯示 ring；`kubectl -n tracing get statefulset tempo-ingester` 顯示有幾個。' },
      { en: 'Three ingesters, as in the values (ingester.replicas: 3): `kubectl --context <context> -n tracing scale statefulset tempo-ingester --replicas=3` (or `workbook challenge reset writes-failing`).', 'zh-TW': '依 values 需要三個 ingester（ingester.replicas: 3）：`kubectl --context <context> -n tracing scale statefulset tempo-ingester --replicas=3`（或 `workbook challenge reset writes-failing`）。' },
    ],
    fault: { kind: 'scale', namespace: tracing, target: 'statefulset/tempo-ingester', replicas: 1, restore: 3 },
    // two of the three ingesters gone: what one replica of the StatefulSet leaves
    embedded: { kind: 'stop', names: ['tempo-ingester-1', 'tempo-ingester-2'], layout: 'microservices' },
  },
  {
    id: 'dots-lead-nowhere',
    title: { en: 'Dots that lead nowhere', 'zh-TW': '點了沒反應的小點' },
    symptom: {
      en: 'Exemplar dots show on the Prometheus panels, but hovering one offers no "Query with Tempo" button.',
      'zh-TW': 'Prometheus 面板上看得到 exemplar 小點，但滑鼠移上去沒有「Query with Tempo」按鈕。',
    },
    chapter: 'grafana',
    breaks: ['grafana/exemplar-link'],
    hints: [
      { en: 'The exemplars are stored (chapter 6 passes). Look at Grafana: how its Prometheus data source treats them.', 'zh-TW': 'exemplar 有被儲存（第 6 章通過）。看看 Grafana：它的 Prometheus 資料來源如何處理 exemplar。' },
      { en: 'A Prometheus data source links an exemplar label to a trace data source by uid. `workbook verify grafana` reads the data source through Grafana\'s API.', 'zh-TW': 'Prometheus 資料來源會依 uid 把 exemplar 標籤連到追蹤資料來源。`workbook verify grafana` 會透過 Grafana 的 API 讀取資料來源。' },
      { en: '`grafana.sidecar.datasources.exemplarTraceIdDestinations: {datasourceUid: tempo, traceIdLabelName: traceID}` in manifests/prometheus-stack.values.yaml, then `workbook run prometheus` (or `workbook challenge reset dots-lead-nowhere`).', 'zh-TW': '在 manifests/prometheus-stack.values.yaml 設定 `grafana.sidecar.datasources.exemplarTraceIdDestinations: {datasourceUid: tempo, traceIdLabelName: traceID}`，再執行 `workbook run prometheus`（或 `workbook challenge reset dots-lead-nowhere`）。' },
    ],
    // a null removes the key; templates/grafana/configmaps-datasources.yaml renders exemplarTraceIdDestinations only
    // when set (prometheus-community/helm-charts@kube-prometheus-stack-51.2.0)
    fault: { kind: 'values', chapter: 'prometheus', overlay: 'manifests/challenges/dots-lead-nowhere.values.yaml' },
    embedded: { none: { en: 'it breaks Grafana\'s data source, and the embedded lab has no Grafana (the kind lab has)', 'zh-TW': '它破壞的是 Grafana 的資料來源，而內建實驗環境沒有 Grafana（kind 實驗環境才有）' } },
  },
  {
    id: 'traces-stop-arriving',
    title: { en: 'Traces that stop arriving', 'zh-TW': '不再送達的追蹤' },
    symptom: {
      en: 'The trace generator pod is Running, but the newest trace in Tempo gets older by the minute.',
      'zh-TW': '追蹤產生器的 pod 是 Running，但 Tempo 裡最新的追蹤卻越來越舊。',
    },
    chapter: 'traffic',
    breaks: ['traffic/spans-received'],
    hints: [
      { en: 'Tempo is healthy (chapter 3 passes). Look at the sender: the xk6-tracing Deployment and its logs (`kubectl -n tracing logs deploy/xk6-tracing`).', 'zh-TW': 'Tempo 運作正常（第 3 章通過）。看看送出的一方：xk6-tracing Deployment 與它的日誌（`kubectl -n tracing logs deploy/xk6-tracing`）。' },
      { en: 'The generator speaks OTLP over gRPC; the distributor takes that on one port and OTLP over HTTP on another. Compare the generator\'s ENDPOINT with the distributor\'s ports (`kubectl -n tracing get svc tempo-distributor`).', 'zh-TW': '產生器使用 gRPC 的 OTLP；distributor 在一個連接埠接收 gRPC，另一個接收 HTTP。比對產生器的 ENDPOINT 與 distributor 的連接埠（`kubectl -n tracing get svc tempo-distributor`）。' },
      { en: 'ENDPOINT must be tempo-distributor.tracing:4317 (OTLP gRPC): `kubectl --context <context> -n tracing set env deployment/xk6-tracing ENDPOINT=tempo-distributor.tracing:4317` (or `workbook challenge reset traces-stop-arriving`).', 'zh-TW': 'ENDPOINT 必須是 tempo-distributor.tracing:4317（OTLP gRPC）：`kubectl --context <context> -n tracing set env deployment/xk6-tracing ENDPOINT=tempo-distributor.tracing:4317`（或 `workbook challenge reset traces-stop-arriving`）。' },
    ],
    fault: { kind: 'env', namespace: tracing, target: 'deployment/xk6-tracing', name: 'ENDPOINT', value: 'tempo-distributor.tracing:4318', restore: 'tempo-distributor.tracing:4317' },
    // the same mistake mirrored: the built-in generator speaks OTLP over HTTP, sent to the gRPC port
    embedded: { kind: 'traffic', to: 'otlp-grpc' },
  },
  {
    id: 'series-go-missing',
    title: { en: 'Series that go missing on the way', 'zh-TW': '半路消失的序列' },
    symptom: {
      en: 'Traces are in Tempo and Prometheus takes remote writes, yet no traces_* series ever show up in Prometheus.',
      'zh-TW': 'Tempo 裡有追蹤，Prometheus 也接受 remote write，但 Prometheus 裡始終沒有任何 traces_* 序列。',
    },
    chapter: 'metrics-generator',
    breaks: ['metrics-generator/series'],
    hints: [
      { en: 'Prometheus\' receiver is on (chapter 2 passes), so look at the sender. The metrics generator counts what it sends and what is refused on its own /metrics page: prometheus_remote_storage_samples_total and prometheus_remote_storage_samples_failed_total.', 'zh-TW': 'Prometheus 的 receiver 是開著的（第 2 章通過），所以看看送出的一方。metrics generator 在自己的 /metrics 頁面上計算送出與被拒絕的樣本數：prometheus_remote_storage_samples_total 與 prometheus_remote_storage_samples_failed_total。' },
      { en: 'When every sample sent has also failed, Prometheus answered each write with an error. The generator\'s log names the HTTP status and the URL it wrote to (kind: `kubectl -n tracing logs deploy/tempo-metrics-generator`; embedded lab: logs/tempo-metrics-generator.log or logs/tempo.log under the lab folder).', 'zh-TW': '如果送出的每個樣本都失敗，代表 Prometheus 對每次寫入都回了錯誤。generator 的日誌會寫出 HTTP 狀態碼與它寫入的 URL（kind：`kubectl -n tracing logs deploy/tempo-metrics-generator`；內建實驗環境：實驗環境資料夾下的 logs/tempo-metrics-generator.log 或 logs/tempo.log）。' },
      { en: 'Prometheus\' receiver is the path /api/v1/write, as metricsGenerator.config.storage.remote_write in manifests/tempo-distributed.values.yaml has it; the fault laid another path over it. Install the article\'s values again: `workbook run tempo` (embedded lab: `workbook lab restart tempo`), or `workbook challenge reset series-go-missing`.', 'zh-TW': 'Prometheus 的 receiver 路徑是 /api/v1/write，與 manifests/tempo-distributed.values.yaml 的 metricsGenerator.config.storage.remote_write 相同；故障在上面疊了另一個路徑。重新安裝文章的 values：`workbook run tempo`（內建實驗環境：`workbook lab restart tempo`），或 `workbook challenge reset series-go-missing`。' },
    ],
    // Prometheus answers 404 on any path but its receiver's /api/v1/write (prometheus/prometheus@v2.47.0
    // web/api/v1/api.go registers the write handler there; read on the real 2.42 in test/real/fault-matrix.test.ts)
    fault: { kind: 'values', chapter: 'tempo', overlay: 'manifests/challenges/series-go-missing.values.yaml' },
    embedded: { kind: 'restart', part: 'tempo', overlay: 'manifests/challenges/series-go-missing.values.yaml' },
  },
];

export function challengeList(): string {
  return CHALLENGES.map((c) => c.id).join(', ');
}

export function findChallenge(id: string | undefined): Challenge {
  if (!id) throw new UsageError({ en: `name a challenge (challenges: ${challengeList()})`, 'zh-TW': `請指定一個挑戰（挑戰：${challengeList()}）` });
  const c = CHALLENGES.find((x) => x.id === id.trim().toLowerCase());
  if (!c) throw new UsageError({ en: `unknown challenge "${id}" (challenges: ${challengeList()})`, 'zh-TW': `沒有 "${id}" 這個挑戰（挑戰：${challengeList()}）` });
  return c;
}

/** The install step of the chapter a values fault re-installs. */
function installOf(catalog: readonly Chapter[], chapter: string): Step {
  const step = catalog.find((c) => c.id === chapter)?.steps.find((s) => s.id === 'install');
  if (!step) throw new Error(`challenge fault names chapter ${chapter}, which has no install step`);
  return step;
}

/** `--values overlay` right after the last `--values` of an install command: the overlay wins. */
export function withOverlay(argv: string[], overlay: string): string[] {
  const last = argv.lastIndexOf('--values');
  const at = last < 0 ? argv.length : last + 2;
  return [...argv.slice(0, at), '--values', overlay, ...argv.slice(at)];
}

/** release and namespace of a `helm upgrade --install RELEASE … --namespace NS` command. */
function releaseOf(argv: string[]): { release: string; namespace: string } {
  return { release: argv[argv.indexOf('--install') + 1]!, namespace: argv[argv.indexOf('--namespace') + 1]! };
}

const NOT_OURS: Text = {
  en: 'refusing: challenges only break a lab the workbook created (cluster {cluster} was not made by `workbook run cluster`)',
  'zh-TW': '拒絕執行：挑戰只會破壞工作手冊自己建立的實驗環境（叢集 {cluster} 不是由 `workbook run cluster` 建立的）',
};

/** Only the workbook's own lab: the cluster it created, and the release or workload the chapters installed. */
async function refuseUnlessOurs(ctx: LabContext, probe: string[], missing: string): Promise<string | undefined> {
  if (ctx.facts.createdCluster !== ctx.lab.clusterName) return NOT_OURS[ctx.lab.lang].replace('{cluster}', ctx.lab.clusterName);
  const res = await ctx.shell.run({ argv: probe, timeoutMs: 30_000 });
  return res.exitCode === 0 ? undefined : missing;
}

/** Why a challenge cannot be started on this lab (the embedded lab lacks what it breaks), or undefined. */
export function notOnThisLab(ch: Challenge, lab: Lab): string | undefined {
  if (!lab.embedded) return undefined;
  const e = ch.embedded;
  if ('none' in e) return `${ch.id} cannot run on the embedded lab: ${e.none[lab.lang]}`;
  if (e.kind === 'stop' && lab.embedded !== e.layout) return `${ch.id} needs the embedded lab's ${e.layout} layout (\`workbook lab down\`, then \`workbook lab up --${e.layout}\`): one Tempo process has no ingesters to lose`;
  return undefined;
}

/** `workbook lab …` as a step runs it (this very CLI, on the lab's state folder) and as the learner would type it. */
function workbookCommand(lab: Lab, args: string[]): Command {
  const tail = [...args, '--state-dir', lab.stateDir];
  return { argv: [process.execPath, join(ROOT, 'dist/scripts/cli.js'), ...tail], shown: ['workbook', ...tail], timeoutMs: 180_000 };
}

/** The fault and its reset on the embedded lab: a part restarted with an overlay or the traffic redirected, or processes stopped. */
function embeddedSteps(ch: Challenge, e: EmbeddedFault): { start: Step[]; reset: Step[] } {
  const start = (lab: Lab): Command =>
    e.kind === 'restart'
      ? workbookCommand(lab, ['lab', 'restart', e.part, '--values', e.overlay])
      : e.kind === 'stop'
        ? workbookCommand(lab, ['lab', 'stop', ...e.names])
        : workbookCommand(lab, ['lab', 'restart', 'traffic', '--otlp-url', lab.embeddedOtlpGrpc ?? '']);
  const reset = (lab: Lab): Command => (e.kind === 'restart' ? workbookCommand(lab, ['lab', 'restart', e.part]) : e.kind === 'stop' ? workbookCommand(lab, ['lab', 'start', ...e.names]) : workbookCommand(lab, ['lab', 'restart', 'traffic']));
  const what: Text =
    e.kind === 'restart'
      ? { en: `Starts the embedded lab's ${e.part} again with its configuration made from the manifests and one more file laid over them (${e.overlay})`, 'zh-TW': `以 manifests 產生的設定、再疊上一個檔案（${e.overlay}），重新啟動內建實驗環境的 ${e.part}` }
      : e.kind === 'stop'
        ? { en: `Stops ${e.names.join(' and ')} (as a crashed pod stops)`, 'zh-TW': `停止 ${e.names.join(' 與 ')}（如同 pod 當掉一般）` }
        : { en: 'Starts the traffic again, sending to another address of the lab', 'zh-TW': '重新啟動流量，改送到實驗環境的另一個位址' };
  return {
    start: [
      {
        id: 'fault',
        title: { en: `Break the lab: ${ch.title.en}`, 'zh-TW': `破壞實驗環境：${ch.title['zh-TW']}` },
        destructive: true,
        why: { en: `${what.en}; \`workbook challenge reset ${ch.id}\` puts the article's lab back.`, 'zh-TW': `${what['zh-TW']}；\`workbook challenge reset ${ch.id}\` 會還原成文章的實驗環境。` },
        ...(e.kind === 'restart' ? { manifests: [e.overlay] } : {}),
        command: start,
      },
    ],
    reset: [
      {
        id: 'restore',
        title: { en: 'Restore the article\'s lab', 'zh-TW': '還原文章的實驗環境' },
        why: e.kind === 'restart' ? { en: `The embedded lab's ${e.part}, configured from the manifests alone: the overlay is gone.`, 'zh-TW': `內建實驗環境的 ${e.part} 只以 manifests 設定：覆蓋檔就此移除。` } : e.kind === 'stop' ? { en: `Starts ${e.names.join(' and ')} again, as they were.`, 'zh-TW': `以原本的設定再次啟動 ${e.names.join(' 與 ')}。` } : { en: 'The traffic sends to the lab\'s OTLP endpoint again.', 'zh-TW': '流量再次送往實驗環境的 OTLP 端點。' },
        command: reset,
      },
    ],
  };
}

/** The fault as steps (`start`) and the article's state back (`reset`), for this catalog's chapters and this lab. */
export function faultSteps(ch: Challenge, catalog: readonly Chapter[], lab?: Lab): { start: Step[]; reset: Step[] } {
  if (lab?.embedded && !('none' in ch.embedded)) return embeddedSteps(ch, ch.embedded);
  const f: Fault = ch.fault;
  // every fault: shown as breaking the lab, asks first, only on the workbook's own cluster
  const fault = (step: Pick<Step, 'why' | 'command'> & Partial<Step>): Step => ({
    id: 'fault',
    title: { en: `Break the lab: ${ch.title.en}`, 'zh-TW': `破壞實驗環境：${ch.title['zh-TW']}` },
    destructive: true,
    needsCluster: true,
    ...step,
  });
  if (f.kind === 'values') {
    const install = installOf(catalog, f.chapter);
    const chapter = catalog.find((c) => c.id === f.chapter)!;
    const probe = (lab: Lab) => {
      const { release, namespace } = releaseOf(install.command(lab).argv);
      return helm(lab, 'status', release, '--namespace', namespace);
    };
    return {
      start: [
        fault({
          why: { en: `Re-installs chapter ${chapter.number}'s release with the article's values and one more file laid over them (${f.overlay}); \`workbook challenge reset ${ch.id}\` installs it again without it.`, 'zh-TW': `以文章的 values 重新安裝第 ${chapter.number} 章的 release，並多疊上一個檔案（${f.overlay}）；\`workbook challenge reset ${ch.id}\` 會不帶它再安裝一次。` },
          manifestsFor: (lab) => [...(install.manifestsFor?.(lab) ?? install.manifests ?? []), f.overlay],
          progressNamespace: install.progressNamespace,
          command: (lab) => ({ ...install.command(lab), argv: withOverlay(install.command(lab).argv, f.overlay) }),
          refuse: (ctx) => refuseUnlessOurs(ctx, probe(ctx.lab), `refusing: release ${releaseOf(install.command(ctx.lab).argv).release} is not installed: run chapter ${chapter.number} (\`workbook run ${chapter.id}\`) first`),
        }),
      ],
      reset: [
        {
          ...install,
          id: 'restore',
          title: { en: `Restore the article's values (chapter ${chapter.number})`, 'zh-TW': `還原文章的 values（第 ${chapter.number} 章）` },
          why: { en: `The install of chapter ${chapter.number}, exactly as \`workbook run ${chapter.id}\` runs it: the fault overlay is gone.`, 'zh-TW': `與 \`workbook run ${chapter.id}\` 完全相同的第 ${chapter.number} 章安裝：故障用的覆蓋檔就此移除。` },
        },
      ],
    };
  }
  const owner = catalog.find((c) => c.checks.some((k) => ch.breaks.includes(`${c.id}/${k.id}`)));
  const probe = (lab: Lab) => kubectl(lab, 'get', f.target, '--namespace', f.namespace(lab), '--output=name');
  const missing = (lab: Lab) => `refusing: ${f.target} does not exist in namespace ${f.namespace(lab)}${owner ? `: run chapter ${owner.number} (\`workbook run ${owner.id}\`) first` : ''}`;
  const command = (lab: Lab, value: number | string) =>
    f.kind === 'scale'
      ? { argv: kubectl(lab, 'scale', f.target, '--namespace', f.namespace(lab), `--replicas=${value}`), timeoutMs: 60_000 }
      : { argv: kubectl(lab, 'set', 'env', f.target, '--namespace', f.namespace(lab), `${f.name}=${value}`), timeoutMs: 60_000 };
  const what = f.kind === 'scale' ? { en: `${f.target} to ${f.replicas} replica(s)`, 'zh-TW': `${f.target} 調為 ${f.replicas} 個副本` } : { en: `${f.name} of ${f.target} to ${f.value}`, 'zh-TW': `${f.target} 的 ${f.name} 改為 ${f.value}` };
  return {
    start: [
      fault({
        why: { en: `Changes ${what.en}; \`workbook challenge reset ${ch.id}\` puts the article's value back.`, 'zh-TW': `把${what['zh-TW']}；\`workbook challenge reset ${ch.id}\` 會改回文章的值。` },
        command: (lab) => command(lab, f.kind === 'scale' ? f.replicas : f.value),
        refuse: (ctx) => refuseUnlessOurs(ctx, probe(ctx.lab), missing(ctx.lab)),
      }),
    ],
    reset: [
      {
        id: 'restore',
        title: { en: 'Restore the article\'s value', 'zh-TW': '還原文章的設定值' },
        why: { en: `Puts ${f.kind === 'scale' ? `${f.target} back to ${f.restore} replicas` : `${f.name} of ${f.target} back to ${f.restore}`}, as the article has it.`, 'zh-TW': `把${f.kind === 'scale' ? `${f.target} 調回 ${f.restore} 個副本` : `${f.target} 的 ${f.name} 改回 ${f.restore}`}，與文章相同。` },
        needsCluster: true,
        command: (lab) => command(lab, f.restore),
      },
    ],
  };
}

/** The checks a challenge breaks, found in the catalog (each with its chapter). */
export function brokenChecks(ch: Challenge, catalog: readonly Chapter[]): { chapter: Chapter; check: Chapter['checks'][number] }[] {
  return ch.breaks.map((ref) => {
    const [chId, checkId] = ref.split('/');
    const chapter = catalog.find((c) => c.id === chId);
    const check = chapter?.checks.find((k) => k.id === checkId);
    if (!chapter || !check) throw new Error(`challenge ${ch.id} breaks ${ref}, which is not a check`);
    return { chapter, check };
  });
}
