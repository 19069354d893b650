import { execute, say, write, type CommandInput } from './kit.js';
import { COMMON, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'doctor',
  usage: 'doctor',
  positional: 'none',
  flags: [...COMMON, 'timeout', 'yes', 'json', 'junit'],
  summary: { en: 'check this machine is ready (chapter 0)', 'zh-TW': '檢查這台機器是否準備好（第 0 章）' },
};

/** `workbook doctor`: chapter 0, the machine's prerequisites. */
export async function run({ lab, io, flags }: CommandInput): Promise<number> {
  const { CATALOG } = await import('../core/catalog.js');
  // asked by name, the doctor reads this machine for the kind lab even while the embedded lab is up
  // (in `verify all` on the embedded lab, chapter 0 does not apply)
  const { embedded: _embedded, embeddedOtlpGrpc: _grpc, ...kindLab } = lab;
  const code = await execute([CATALOG[0]!], 'verify', kindLab, io, flags);
  // no Docker daemon or no kind: the embedded lab still teaches the heart of it
  const { ProgressStore } = await import('../effects/progress.js');
  const checks = (await ProgressStore.open(lab.stateDir)).data.chapters[CATALOG[0]!.id]?.checks ?? {};
  if (['docker-daemon', 'kind'].some((id) => checks[id]?.status === 'failed')) {
    const out = flags.json === '-' || flags.junit === '-' ? io.stderr : io.stdout;
    write(out, say(EMBEDDED_OFFER, lab.lang));
  }
  return code;
}

export const EMBEDDED_OFFER = {
  en: 'No Docker daemon or no kind here? `workbook lab up` runs the embedded lab instead: real Tempo 2.2.2 and Prometheus on 127.0.0.1, no container (add --microservices for the ingester ring). Traces, TraceQL, the metrics generator, service graphs, span metrics and exemplars all work there; what only the kind lab adds is the real Helm charts, pods and Grafana.',
  'zh-TW': '這裡沒有 Docker daemon 或 kind？`workbook lab up` 可改用內建實驗環境：在 127.0.0.1 上執行真正的 Tempo 2.2.2 與 Prometheus，不需要容器（加上 --microservices 可得到 ingester ring）。追蹤、TraceQL、metrics generator、服務圖、span 指標與 exemplar 都能在那裡學；只有 kind 實驗環境才有的，是真正的 Helm chart、pod 與 Grafana。',
};
