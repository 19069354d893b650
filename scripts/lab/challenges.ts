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
import { tempoGeneration } from '../core/engine.js';

const tracing = (lab: Lab) => lab.namespaces.tracing;

export const CHALLENGES: readonly Challenge[] = [
  {
    id: 'dots-gone',
    title: { en: 'Metrics without trace links', 'zh-TW': '有指標，卻沒有追蹤連結' },
    symptom: {
      en: 'The span-metrics panels still draw their lines, but the exemplar dots are gone: there is nothing to click through to a trace.',
      'zh-TW': 'span 指標面板的折線還在，但 exemplar 的小點不見了：沒有東西可以點進追蹤。',
    },
    symptomEmbedded: { en: 'The span-metrics series keep growing in Prometheus, but its exemplar query (/api/v1/query_exemplars) finds none written since the challenge began: nothing links a point to a trace.', 'zh-TW': 'span 指標序列在 Prometheus 裡持續增加，但它的 exemplar 查詢（/api/v1/query_exemplars）找不到挑戰開始後寫入的任何 exemplar：沒有任何資料點連得到追蹤。' },
    chapter: 'metrics-generator',
    breaks: ['prometheus/exemplar-storage', 'metrics-generator/exemplars'],
    hints: [
      { en: "Look at what Prometheus keeps. Ask it for the exemplars of a latency bucket, and for the flags it runs with: `curl -sG {prometheus}/api/v1/query_exemplars --data-urlencode 'query=traces_spanmetrics_latency_bucket'` and `curl -s {prometheus}/api/v1/status/flags`.", 'zh-TW': "看看 Prometheus 保留了什麼。向它查詢某個延遲區間的 exemplar，以及它執行時的旗標：`curl -sG {prometheus}/api/v1/query_exemplars --data-urlencode 'query=traces_spanmetrics_latency_bucket'` 與 `curl -s {prometheus}/api/v1/status/flags`。" },
      { en: "The exemplars come back empty while the series are there. Prometheus keeps exemplars only with a feature switched on: read \"enable-feature\" in the flags.", 'zh-TW': "序列都在，exemplar 卻是空的。Prometheus 只有在開啟某個功能時才會保留 exemplar：看看旗標裡的 \"enable-feature\"。" },
      { en: "enable-feature lacks exemplar-storage: the fault's values file set prometheus.prometheusSpec.enableFeatures to []. The article's values (manifests/prometheus-stack.values.yaml) list [exemplar-storage], so installing them again without the fault fixes it: `workbook challenge reset dots-gone`, which runs the same install as `workbook run prometheus`.", 'zh-TW': "enable-feature 裡沒有 exemplar-storage：故障的 values 檔把 prometheus.prometheusSpec.enableFeatures 設成了 []。文章的 values（manifests/prometheus-stack.values.yaml）列的是 [exemplar-storage]，所以不帶故障檔重新安裝就能修好：`workbook challenge reset dots-gone`，它執行的安裝與 `workbook run prometheus` 相同。" },
    ],
    hintsEmbedded: {
      2: { en: "enable-feature lacks exemplar-storage: the fault's values file set prometheus.prometheusSpec.enableFeatures to []. The embedded lab makes Prometheus' flags from the article's values again with `workbook lab restart prometheus` (or `workbook challenge reset dots-gone`).", 'zh-TW': "enable-feature 裡沒有 exemplar-storage：故障的 values 檔把 prometheus.prometheusSpec.enableFeatures 設成了 []。用 `workbook lab restart prometheus`（或 `workbook challenge reset dots-gone`），內建實驗環境會再從文章的 values 產生 Prometheus 的旗標。" },
    },
    cause: { en: "Prometheus runs without --enable-feature=exemplar-storage: it takes the remote-written exemplars and drops them.", 'zh-TW': "Prometheus 沒有以 --enable-feature=exemplar-storage 執行：它收下 remote write 送來的 exemplar，然後丟掉。" },
    causeWords: ['exemplar-storage', 'exemplar storage', 'enable-feature', 'enableFeatures'],
    // Prometheus without --enable-feature=exemplar-storage drops remote-written exemplars (enableFeatures, default [],
    // prometheus-community/helm-charts@kube-prometheus-stack-51.2.0 charts/kube-prometheus-stack/values.yaml)
    fault: { kind: 'values', chapter: 'prometheus', overlay: 'manifests/challenges/dots-gone.values.yaml', renders: ['Prometheus/prometheus-stack-prometheus:spec.enableFeatures'] },
    embedded: { kind: 'restart', part: 'prometheus', overlay: 'manifests/challenges/dots-gone.values.yaml' },
  },
  {
    id: 'exemplars-never-arrive',
    title: { en: 'Series without exemplars', 'zh-TW': '沒有 exemplar 的序列' },
    symptom: {
      en: 'Service-graph and span-metrics series are in Prometheus and keep growing, yet "Query with exemplars" finds none.',
      'zh-TW': '服務圖與 span 指標的序列都在 Prometheus 裡而且持續增加，但「Query with exemplars」一個也找不到。',
    },
    symptomEmbedded: { en: 'Service-graph and span-metrics series are in Prometheus and keep growing, yet its exemplar query (/api/v1/query_exemplars) finds none written since the challenge began.', 'zh-TW': '服務圖與 span 指標序列都在 Prometheus 裡而且持續增加，但它的 exemplar 查詢（/api/v1/query_exemplars）找不到挑戰開始後寫入的任何 exemplar。' },
    chapter: 'metrics-generator',
    breaks: ['metrics-generator/exemplars'],
    hints: [
      { en: "Prometheus keeps exemplars (its flags list exemplar-storage), so look at the sender. Tempo shows the configuration it runs with: `curl -s {tempo}/status/config`.", 'zh-TW': "Prometheus 會保留 exemplar（它的旗標有 exemplar-storage），所以看看送出的一方。Tempo 會顯示它執行中的設定：`curl -s {tempo}/status/config`。" },
      { en: "Find metrics_generator.storage.remote_write in it: each entry decides for itself whether exemplars go along with the samples.", 'zh-TW': "在裡面找到 metrics_generator.storage.remote_write：每個項目各自決定 exemplar 要不要跟著樣本一起送出。" },
      { en: "send_exemplars is false there: the fault's values file restated the remote_write entry without exemplars. The article's values say send_exemplars: true; install them again: `workbook challenge reset exemplars-never-arrive` (the same install as `workbook run tempo`).", 'zh-TW': "那裡的 send_exemplars 是 false：故障的 values 檔把 remote_write 項目改寫成不帶 exemplar。文章的 values 寫的是 send_exemplars: true；重新安裝它們：`workbook challenge reset exemplars-never-arrive`（與 `workbook run tempo` 的安裝相同）。" },
    ],
    hintsEmbedded: {
      2: { en: "send_exemplars is false there: the fault's values file restated the remote_write entry without exemplars. `workbook lab restart tempo` makes Tempo's configuration from the article's values again (or `workbook challenge reset exemplars-never-arrive`).", 'zh-TW': "那裡的 send_exemplars 是 false：故障的 values 檔把 remote_write 項目改寫成不帶 exemplar。`workbook lab restart tempo` 會再從文章的 values 產生 Tempo 的設定（或 `workbook challenge reset exemplars-never-arrive`）。" },
    },
    cause: { en: "The metrics generator's remote_write entry has send_exemplars: false: the samples travel, the exemplars stay behind.", 'zh-TW': "metrics generator 的 remote_write 項目設了 send_exemplars: false：樣本送出去了，exemplar 卻留在原地。" },
    causeWords: ['send_exemplars', 'sendExemplars'],
    // helm replaces lists whole: the remote_write entry restated with send_exemplars off (Prometheus' remote_write
    // config; grafana/tempo@v2.2.2 modules/generator/storage/config.go)
    fault: { kind: 'values', chapter: 'tempo', overlay: 'manifests/challenges/exemplars-never-arrive.values.yaml', renders: ['ConfigMap/tempo-config:data.tempo.yaml.metrics_generator.storage.remote_write'] },
    embedded: { kind: 'restart', part: 'tempo', overlay: 'manifests/challenges/exemplars-never-arrive.values.yaml' },
  },
  {
    id: 'empty-service-graph',
    title: { en: 'An empty service graph', 'zh-TW': '空白的服務圖' },
    symptom: {
      en: 'Traces are searchable in Tempo, but the service graph is empty and no span-metrics series appear.',
      'zh-TW': '在 Tempo 查得到追蹤，但服務圖是空的，也沒有任何 span 指標序列。',
    },
    symptomEmbedded: { en: 'Traces are searchable in Tempo, but since the challenge began Prometheus gets no new service-graph or span-metrics samples.', 'zh-TW': '追蹤在 Tempo 中搜尋得到，但挑戰開始後 Prometheus 就沒有再收到新的服務圖或 span 指標樣本。' },
    chapter: 'metrics-generator',
    breaks: ['metrics-generator/series', 'metrics-generator/service-graph-edges', 'metrics-generator/span-metrics'],
    hints: [
      { en: "Ask Prometheus which generated series are written now, and Tempo what it is told to make: `curl -sG {prometheus}/api/v1/query --data-urlencode 'query=count by (__name__) (count_over_time({__name__=~\"traces_.+\"}[1m]))'` and `curl -s {tempo}/status/config`.", 'zh-TW': "問 Prometheus 現在有哪些 generator 產生的序列被寫入，再問 Tempo 它被設定要產生什麼：`curl -sG {prometheus}/api/v1/query --data-urlencode 'query=count by (__name__) (count_over_time({__name__=~\"traces_.+\"}[1m]))'` 與 `curl -s {tempo}/status/config`。" },
      { en: "In the configuration, overrides.metrics_generator_processors lists what the generator computes: service graphs, span metrics, or nothing.", 'zh-TW': "設定中的 overrides.metrics_generator_processors 列出 generator 要計算的東西：服務圖、span 指標，或什麼都沒有。" },
      { en: "The list is empty: the fault's values file set global_overrides.metrics_generator_processors to []. The article's values list service-graphs and span-metrics; install them again: `workbook challenge reset empty-service-graph` (the same install as `workbook run tempo`).", 'zh-TW': "這個清單是空的：故障的 values 檔把 global_overrides.metrics_generator_processors 設成了 []。文章的 values 列的是 service-graphs 與 span-metrics；重新安裝它們：`workbook challenge reset empty-service-graph`（與 `workbook run tempo` 的安裝相同）。" },
    ],
    hintsEmbedded: {
      2: { en: "The list is empty: the fault's values file set global_overrides.metrics_generator_processors to []. `workbook lab restart tempo` makes Tempo's configuration from the article's values again (or `workbook challenge reset empty-service-graph`).", 'zh-TW': "這個清單是空的：故障的 values 檔把 global_overrides.metrics_generator_processors 設成了 []。`workbook lab restart tempo` 會再從文章的 values 產生 Tempo 的設定（或 `workbook challenge reset empty-service-graph`）。" },
    },
    cause: { en: "Tempo's overrides list no metrics-generator processors: the generator runs, receives the spans, and computes nothing.", 'zh-TW': "Tempo 的 overrides 沒有列出任何 metrics generator 處理器：generator 有在執行、也收到 span，卻什麼都不計算。" },
    causeWords: ['processor', 'overrides'],
    // no processors in the overrides: the generator makes no series (grafana/tempo@v2.2.2
    // modules/overrides/limits.go MetricsGeneratorProcessors)
    fault: { kind: 'values', chapter: 'tempo', overlay: 'manifests/challenges/empty-service-graph.values.yaml', renders: ['ConfigMap/tempo-config:data.tempo.yaml.overrides.metrics_generator_processors'] },
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
      { en: "The generator makes series and sends them. Look at whether Prometheus takes them: push an empty body at it, `curl -s -X POST {prometheus}/api/v1/write`, and read its flags, `curl -s {prometheus}/api/v1/status/flags`.", 'zh-TW': "generator 有產生序列也有送出。看看 Prometheus 收不收：對它推送一個空的內容 `curl -s -X POST {prometheus}/api/v1/write`，並讀它的旗標 `curl -s {prometheus}/api/v1/status/flags`。" },
      { en: "A receiver that is on rejects an empty push as bad data (\"snappy: corrupt input\"); one that is off answers \"remote write receiver needs to be enabled\". The flag web.enable-remote-write-receiver says the same.", 'zh-TW': "開著的 receiver 會把空的推送當成壞資料拒絕（\"snappy: corrupt input\"）；關著的則回答 \"remote write receiver needs to be enabled\"。旗標 web.enable-remote-write-receiver 也會告訴你同一件事。" },
      { en: "The receiver is off: the fault's values file set prometheus.prometheusSpec.enableRemoteWriteReceiver: false. The article's values say true; install them again: `workbook challenge reset no-series` (the same install as `workbook run prometheus`).", 'zh-TW': "receiver 是關的：故障的 values 檔設了 prometheus.prometheusSpec.enableRemoteWriteReceiver: false。文章的 values 寫的是 true；重新安裝它們：`workbook challenge reset no-series`（與 `workbook run prometheus` 的安裝相同）。" },
    ],
    hintsEmbedded: {
      2: { en: "The receiver is off: the fault's values file set prometheus.prometheusSpec.enableRemoteWriteReceiver: false. `workbook lab restart prometheus` makes its flags from the article's values again (or `workbook challenge reset no-series`).", 'zh-TW': "receiver 是關的：故障的 values 檔設了 prometheus.prometheusSpec.enableRemoteWriteReceiver: false。`workbook lab restart prometheus` 會再從文章的 values 產生它的旗標（或 `workbook challenge reset no-series`）。" },
    },
    cause: { en: "Prometheus runs without its remote-write receiver: every push to /api/v1/write is refused with 404.", 'zh-TW': "Prometheus 沒有開啟 remote-write receiver：每次推送到 /api/v1/write 都被以 404 拒絕。" },
    causeWords: ['receiver', 'enableRemoteWriteReceiver', '404'],
    // enableRemoteWriteReceiver false: no /api/v1/write (default false in
    // prometheus-community/helm-charts@kube-prometheus-stack-51.2.0 charts/kube-prometheus-stack/values.yaml)
    fault: { kind: 'values', chapter: 'prometheus', overlay: 'manifests/challenges/no-series.values.yaml', renders: ['Prometheus/prometheus-stack-prometheus:spec.enableRemoteWriteReceiver'] },
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
      { en: "The distributor receives spans and hands them to the ingesters it finds in its ring. Look at the ring and at the ingesters: `kubectl --context {context} -n tracing port-forward svc/tempo-distributor 3200:3100`, then `curl -s -H 'Accept: application/json' http://127.0.0.1:3200/ingester/ring`; and `kubectl --context {context} -n tracing get statefulset tempo-ingester`.", 'zh-TW': "distributor 收到 span 後，會交給它在 ring 裡找到的 ingester。看看 ring 與 ingester：`kubectl --context {context} -n tracing port-forward svc/tempo-distributor 3200:3100`，再 `curl -s -H 'Accept: application/json' http://127.0.0.1:3200/ingester/ring`；以及 `kubectl --context {context} -n tracing get statefulset tempo-ingester`。" },
      { en: "Count the ingesters that are ACTIVE with a recent heartbeat. Each write goes to replication_factor of them (3) and needs a majority (2) to answer.", 'zh-TW': "數一數狀態為 ACTIVE 且心跳是最近的 ingester。每次寫入會送到 replication_factor 個（3 個），需要其中過半數（2 個）回應。" },
      { en: "One ingester runs where the values ask for three (ingester.replicas: 3): `kubectl --context {context} -n tracing scale statefulset tempo-ingester --replicas=3`, or `workbook challenge reset writes-failing`.", 'zh-TW': "values 要求三個 ingester（ingester.replicas: 3），卻只有一個在執行：`kubectl --context {context} -n tracing scale statefulset tempo-ingester --replicas=3`，或 `workbook challenge reset writes-failing`。" },
    ],
    hintsEmbedded: {
      0: { en: "The distributor receives spans and hands them to the ingesters it finds in its ring. Look at the ring and at the lab's processes: `curl -s -H 'Accept: application/json' {distributor}/ingester/ring` and `workbook lab status`.", 'zh-TW': "distributor 收到 span 後，會交給它在 ring 裡找到的 ingester。看看 ring 與實驗環境的程序：`curl -s -H 'Accept: application/json' {distributor}/ingester/ring` 與 `workbook lab status`。" },
      2: { en: "Two of the three ingesters are stopped: `workbook lab start tempo-ingester-1 tempo-ingester-2`, or `workbook challenge reset writes-failing`.", 'zh-TW': "三個 ingester 裡有兩個被停止了：`workbook lab start tempo-ingester-1 tempo-ingester-2`，或 `workbook challenge reset writes-failing`。" },
    },
    cause: { en: "Only one of the three ingesters runs: with replication factor 3, a write needs two of them, so every write fails.", 'zh-TW': "三個 ingester 只剩一個在執行：replication factor 是 3，每次寫入需要其中兩個，所以每次寫入都失敗。" },
    causeWords: ['quorum', 'replication', 'replicas'],
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
      { en: "The exemplars are stored (chapter 6 passes), so look at Grafana: the Prometheus data source's settings, `curl -s -u admin:<password> {grafana}/api/datasources/uid/prometheus` (`workbook open grafana` names the password).", 'zh-TW': "exemplar 有被儲存（第 6 章通過），所以看看 Grafana：Prometheus 資料來源的設定，`curl -s -u admin:<密碼> {grafana}/api/datasources/uid/prometheus`（`workbook open grafana` 會告訴你密碼）。" },
      { en: "In jsonData, exemplarTraceIdDestinations links an exemplar label (traceID) to a trace data source by its uid; without it, a dot offers no button.", 'zh-TW': "在 jsonData 裡，exemplarTraceIdDestinations 會依 uid 把 exemplar 標籤（traceID）連到追蹤資料來源；沒有它，小點就不會出現按鈕。" },
      { en: "It is missing: the fault's values file removed grafana.sidecar.datasources.exemplarTraceIdDestinations. The article's values link traceID to the data source uid tempo; install them again: `workbook challenge reset dots-lead-nowhere` (the same install as `workbook run prometheus`).", 'zh-TW': "它不見了：故障的 values 檔移除了 grafana.sidecar.datasources.exemplarTraceIdDestinations。文章的 values 把 traceID 連到 uid 為 tempo 的資料來源；重新安裝它們：`workbook challenge reset dots-lead-nowhere`（與 `workbook run prometheus` 的安裝相同）。" },
    ],
    cause: { en: "Grafana's Prometheus data source has no exemplarTraceIdDestinations: nothing links an exemplar's traceID to the Tempo data source.", 'zh-TW': "Grafana 的 Prometheus 資料來源沒有 exemplarTraceIdDestinations：沒有任何設定把 exemplar 的 traceID 連到 Tempo 資料來源。" },
    causeWords: ['exemplarTraceIdDestinations', 'datasourceUid'],
    // a null removes the key; templates/grafana/configmaps-datasources.yaml renders exemplarTraceIdDestinations only
    // when set (prometheus-community/helm-charts@kube-prometheus-stack-51.2.0)
    fault: { kind: 'values', chapter: 'prometheus', overlay: 'manifests/challenges/dots-lead-nowhere.values.yaml', renders: ['ConfigMap/prometheus-stack-grafana-datasource:data.datasource.yaml.datasources'] },
    embedded: { none: { en: 'it breaks Grafana\'s data source, and the embedded lab has no Grafana (the kind lab has)', 'zh-TW': '它破壞的是 Grafana 的資料來源，而內建實驗環境沒有 Grafana（kind 實驗環境才有）' } },
  },
  {
    id: 'traces-stop-arriving',
    title: { en: 'Traces that stop arriving', 'zh-TW': '不再送達的追蹤' },
    symptom: {
      en: 'The trace generator pod is Running, but the newest trace in Tempo gets older by the minute.',
      'zh-TW': '追蹤產生器的 pod 是 Running，但 Tempo 裡最新的追蹤卻越來越舊。',
    },
    symptomEmbedded: { en: 'The lab\'s traffic was started again, but the newest trace in Tempo gets older by the minute.', 'zh-TW': '實驗環境的流量重新啟動了，但 Tempo 裡最新的追蹤每分鐘都在變舊。' },
    chapter: 'traffic',
    breaks: ['traffic/spans-received'],
    hints: [
      { en: "Tempo is healthy (chapter 3 passes), so look at the sender: its log and where it sends, `kubectl --context {context} -n tracing logs deploy/xk6-tracing --tail=20` and `kubectl --context {context} -n tracing get deploy xk6-tracing -o jsonpath='{.spec.template.spec.containers[0].env}'`.", 'zh-TW': "Tempo 運作正常（第 3 章通過），所以看看送出的一方：它的日誌與它送往哪裡，`kubectl --context {context} -n tracing logs deploy/xk6-tracing --tail=20` 與 `kubectl --context {context} -n tracing get deploy xk6-tracing -o jsonpath='{.spec.template.spec.containers[0].env}'`。" },
      { en: "The generator speaks OTLP over gRPC. The distributor takes gRPC on one port and HTTP on another: compare ENDPOINT with `kubectl --context {context} -n tracing get svc tempo-distributor`.", 'zh-TW': "產生器使用 gRPC 的 OTLP。distributor 在一個連接埠接收 gRPC，在另一個接收 HTTP：把 ENDPOINT 與 `kubectl --context {context} -n tracing get svc tempo-distributor` 比對一下。" },
      { en: "ENDPOINT must be the gRPC port, tempo-distributor.tracing:4317: `kubectl --context {context} -n tracing set env deployment/xk6-tracing ENDPOINT=tempo-distributor.tracing:4317`, or `workbook challenge reset traces-stop-arriving`.", 'zh-TW': "ENDPOINT 必須是 gRPC 連接埠 tempo-distributor.tracing:4317：`kubectl --context {context} -n tracing set env deployment/xk6-tracing ENDPOINT=tempo-distributor.tracing:4317`，或 `workbook challenge reset traces-stop-arriving`。" },
    ],
    hintsEmbedded: {
      0: { en: "Tempo is healthy (chapter 3 passes), so look at the sender: `workbook lab status` says where the traffic sends, and its log is {labdir}/logs/traffic.log.", 'zh-TW': "Tempo 運作正常（第 3 章通過），所以看看送出的一方：`workbook lab status` 會說流量送往哪裡，它的日誌在 {labdir}/logs/traffic.log。" },
      1: { en: "The built-in generator speaks OTLP over HTTP; Tempo takes OTLP over gRPC on one port and over HTTP on another. Compare where it sends with the lab's OTLP endpoint, {otlp}.", 'zh-TW': "內建產生器使用 HTTP 的 OTLP；Tempo 在一個連接埠接收 gRPC 的 OTLP，在另一個接收 HTTP 的。把它送往的位址與實驗環境的 OTLP 端點 {otlp} 比對一下。" },
      2: { en: "It sends to the gRPC port: `workbook lab restart traffic` sends to the lab's OTLP/HTTP endpoint again (or `workbook challenge reset traces-stop-arriving`).", 'zh-TW': "它送到了 gRPC 連接埠：`workbook lab restart traffic` 會再送往實驗環境的 OTLP/HTTP 端點（或 `workbook challenge reset traces-stop-arriving`）。" },
    },
    cause: { en: "The trace generator sends OTLP over gRPC to the distributor's OTLP/HTTP port (4318 instead of 4317): nothing it sends is understood.", 'zh-TW': "追蹤產生器把 gRPC 的 OTLP 送到 distributor 的 OTLP/HTTP 連接埠（4318 而不是 4317）：它送的東西都無法被理解。" },
    causeWords: ['grpc', '4317', 'protocol'],
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
      { en: "Prometheus' receiver is on (chapter 2 passes), so look at the sender: where Tempo's configuration tells the generator to write, `curl -s {tempo}/status/config` (metrics_generator.storage.remote_write).", 'zh-TW': "Prometheus 的 receiver 是開著的（第 2 章通過），所以看看送出的一方：Tempo 的設定要 generator 寫到哪裡，`curl -s {tempo}/status/config`（metrics_generator.storage.remote_write）。" },
      { en: "Push at that URL by hand (`curl -s -X POST <url>`) and at {prometheus}/api/v1/write: a receiver answers an empty push with \"snappy: corrupt input\"; any other path gives 404.", 'zh-TW': "手動對那個網址推送（`curl -s -X POST <url>`），也對 {prometheus}/api/v1/write 推送：receiver 對空的推送會回答 \"snappy: corrupt input\"；其他路徑都是 404。" },
      { en: "The URL's path is /api/v1/push: the fault's values file restated the remote_write entry with it. The article's values write to /api/v1/write; install them again: `workbook challenge reset series-go-missing` (the same install as `workbook run tempo`).", 'zh-TW': "那個網址的路徑是 /api/v1/push：故障的 values 檔用它改寫了 remote_write 項目。文章的 values 寫到 /api/v1/write；重新安裝它們：`workbook challenge reset series-go-missing`（與 `workbook run tempo` 的安裝相同）。" },
    ],
    hintsEmbedded: {
      2: { en: "The URL's path is /api/v1/push: the fault's values file restated the remote_write entry with it. `workbook lab restart tempo` makes Tempo's configuration from the article's values again (or `workbook challenge reset series-go-missing`).", 'zh-TW': "那個網址的路徑是 /api/v1/push：故障的 values 檔用它改寫了 remote_write 項目。`workbook lab restart tempo` 會再從文章的 values 產生 Tempo 的設定（或 `workbook challenge reset series-go-missing`）。" },
    },
    cause: { en: "The metrics generator remote-writes to /api/v1/push, a path Prometheus answers 404 to; its receiver is /api/v1/write.", 'zh-TW': "metrics generator 把資料 remote write 到 /api/v1/push，Prometheus 對這個路徑回應 404；它的 receiver 在 /api/v1/write。" },
    causeWords: ['/api/v1/push', 'refused', '404'],
    // Prometheus answers 404 on any path but its receiver's /api/v1/write (prometheus/prometheus@v2.47.0
    // web/api/v1/api.go registers the write handler there; read on the real 2.42 in test/real/fault-matrix.test.ts)
    fault: { kind: 'values', chapter: 'tempo', overlay: 'manifests/challenges/series-go-missing.values.yaml', renders: ['ConfigMap/tempo-config:data.tempo.yaml.metrics_generator.storage.remote_write'] },
    embedded: { kind: 'restart', part: 'tempo', overlay: 'manifests/challenges/series-go-missing.values.yaml' },
  },
];

/**
 * A hint as this lab reads it: the embedded lab's own where it differs, the placeholders filled with this lab's
 * addresses. A 127.0.0.1 address of the kind lab is a port-forward the learner keeps open with `workbook open`.
 */
export function hintFor(ch: Challenge, level: 1 | 2 | 3, lab: Lab): string {
  const i = (level - 1) as 0 | 1 | 2;
  const text = (lab.embedded && ch.hintsEmbedded?.[i]) || ch.hints[i];
  const local = (name: 'prometheus' | 'tempo' | 'grafana') => lab.urls[name] ?? `http://127.0.0.1:${lab.localPorts[name]}`;
  const vars: Record<string, string> = {
    prometheus: local('prometheus'),
    tempo: local('tempo'),
    grafana: local('grafana'),
    distributor: lab.urls.distributor ?? local('tempo'),
    otlp: lab.urls.otlp ?? '',
    context: lab.context,
    labdir: join(lab.stateDir, 'lab'),
  };
  const raw = text[lab.lang];
  const filled = raw.replace(/\{(prometheus|tempo|grafana|distributor|otlp|context|labdir)\}/g, (_, k: string) => vars[k]!);
  const forwarded = (['prometheus', 'tempo', 'grafana'] as const).filter((n) => !lab.urls[n] && raw.includes(`{${n}}`));
  if (!forwarded.length) return filled;
  const open = forwarded.map((n) => `workbook open ${n}`).join('`, `');
  return filled + (lab.lang === 'zh-TW' ? `（127.0.0.1 的位址是工作手冊的 port-forward：請在另一個終端機保持 \`${open}\` 執行。）` : ` (The 127.0.0.1 addresses are the workbook's port-forwards: keep \`${open}\` running in another terminal.)`);
}

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

/** What the learner sees on this lab. */
export function symptomOf(ch: Challenge, lab: Pick<Lab, 'embedded'>): Text {
  return (lab.embedded && ch.symptomEmbedded) || ch.symptom;
}

/**
 * A line of `challenge check` with nothing of the cause in it: the text up to the last diagnosis boundary ("; ",
 * " (", ", but ") before any cause word, marked as cut; undefined when even the measurement names the cause.
 */
export function withoutCause(text: string, words: readonly string[]): string | undefined {
  const has = (x: string) => words.some((w) => x.toLowerCase().includes(w.toLowerCase()));
  if (!has(text)) return text;
  const cuts = [...text.matchAll(/; | \(|, but /g)].map((m) => m.index!).reverse();
  for (const i of cuts) if (!has(text.slice(0, i))) return `${text.slice(0, i)} …`;
  return undefined;
}

/** Why a challenge cannot be started on this lab (the embedded lab lacks what it breaks), or undefined. */
export function notOnThisLab(ch: Challenge, lab: Lab): string | undefined {
  // the faults are the article's: its chart's values (tempo-distributed 1.6.5) and its ingesters; Tempo 3's chart
  // has neither the legacy overrides key nor ingesters
  if (tempoGeneration(lab) === 3 && ((ch.fault.kind === 'values' && ch.fault.chapter === 'tempo') || ch.breaks.includes('tempo/ingester-ring'))) {
    return `${ch.id} breaks the article's Tempo 2 (tempo-distributed 1.6.5's values or its ingesters): profile ${lab.profile.name} runs Tempo 3; start it on the article's profile`;
  }
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
        forEmbedded: true,
        why: { en: `${what.en}; \`workbook challenge reset ${ch.id}\` puts the article's lab back.`, 'zh-TW': `${what['zh-TW']}；\`workbook challenge reset ${ch.id}\` 會還原成文章的實驗環境。` },
        ...(e.kind === 'restart' ? { manifests: [e.overlay] } : {}),
        command: start,
      },
    ],
    reset: [
      {
        id: 'restore',
        title: { en: 'Restore the article\'s lab', 'zh-TW': '還原文章的實驗環境' },
        forEmbedded: true,
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
