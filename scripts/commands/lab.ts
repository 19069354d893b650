import { UsageError, say, write, type CommandInput } from './kit.js';
import { COMMON, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'lab',
  usage: 'lab <up|down|status> [--microservices]',
  positional: 'action-and-name',
  flags: [...COMMON],
  own: {
    microservices: { type: 'boolean', help: { en: 'lab up: Tempo as eight processes (distributor, three ingesters, query-frontend, querier, compactor, metrics generator)', 'zh-TW': 'lab up：以八個行程執行 Tempo（distributor、三個 ingester、query-frontend、querier、compactor、metrics generator）' } },
    'tempo-bin': { type: 'string', value: 'PATH', help: { en: 'lab up: the Tempo 2.2.2 binary (default: WORKBOOK_TEMPO_BIN, or tempo on PATH)', 'zh-TW': 'lab up：Tempo 2.2.2 執行檔（預設：WORKBOOK_TEMPO_BIN 或 PATH 上的 tempo）' } },
    'prometheus-bin': { type: 'string', value: 'PATH', help: { en: 'lab up: the Prometheus binary (default: WORKBOOK_PROMETHEUS_BIN, or prometheus on PATH)', 'zh-TW': 'lab up：Prometheus 執行檔（預設：WORKBOOK_PROMETHEUS_BIN 或 PATH 上的 prometheus）' } },
    'no-traffic': { type: 'boolean', help: { en: 'lab up: do not start the shop\'s traffic with the lab', 'zh-TW': 'lab up：不要同時啟動商店流量' } },
  },
  summary: {
    en: 'the embedded lab: real Tempo and Prometheus on 127.0.0.1, no Docker or kind needed (up, down, status)',
    'zh-TW': '內建實驗環境：在 127.0.0.1 上執行真正的 Tempo 與 Prometheus，不需要 Docker 或 kind（up、down、status）',
  },
};

const ACTIONS = ['up', 'down', 'status'] as const;

/** `workbook lab <up|down|status>`. */
export async function run({ lab, io, flags, positionals = [] }: CommandInput): Promise<number> {
  const [action = 'status', extra] = positionals;
  if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) throw new UsageError(`unknown action "${action}" (lab ${ACTIONS.join('|')})`);
  if (extra) throw new UsageError(`unexpected argument "${extra}" (usage: workbook ${spec.usage})`);
  const t = (en: string, zh: string) => say({ en, 'zh-TW': zh }, lab.lang);
  const e = await import('../effects/embedded-lab.js');
  const { mkdirp } = await import('../effects/files.js');
  await mkdirp(lab.stateDir);
  if (action === 'up') {
    const layout = flags.microservices ? 'microservices' : 'monolithic';
    const tempoBin = e.findBinary('tempo', flags['tempo-bin'] as string | undefined, io.env);
    const prometheusBin = e.findBinary('prometheus', flags['prometheus-bin'] as string | undefined, io.env);
    write(io.stdout, t(`Starting the embedded lab (${layout}) under ${e.labDir(lab.stateDir)}`, `正在啟動內建實驗環境（${layout}），位於 ${e.labDir(lab.stateDir)}`));
    const { state, adopted } = await e.labUp({ stateDir: lab.stateDir, layout, tempoBin, prometheusBin, traffic: !flags['no-traffic'], log: (l) => write(io.stdout, `  ${l}`) });
    if (adopted) write(io.stdout, t('The embedded lab is already up; nothing was started.', '內建實驗環境已在執行；沒有啟動任何東西。'));
    write(io.stdout, t(`Ready. Tempo ${state.urls.tempo}, Prometheus ${state.urls.prometheus}. Every command uses it now: try \`workbook verify all\`; \`workbook lab down\` stops it.`, `已就緒。Tempo ${state.urls.tempo}、Prometheus ${state.urls.prometheus}。現在所有指令都會使用它：試試 \`workbook verify all\`；\`workbook lab down\` 會停止它。`));
    return 0;
  }
  if (action === 'down') {
    const { stopped, found } = await e.labDown(lab.stateDir);
    write(io.stdout, found ? t(`Stopped ${stopped.length ? stopped.join(', ') : 'nothing (every process had already ended)'}; data and logs stay under ${e.labDir(lab.stateDir)}.`, `已停止 ${stopped.length ? stopped.join('、') : '（所有行程都已結束）'}；資料與記錄檔保留在 ${e.labDir(lab.stateDir)}。`) : t('No embedded lab is recorded here.', '這裡沒有內建實驗環境的紀錄。'));
    return 0;
  }
  const { state, processes } = await e.labStatus(lab.stateDir);
  if (!state) {
    write(io.stdout, t('No embedded lab: `workbook lab up` starts one.', '沒有內建實驗環境：`workbook lab up` 可啟動一個。'));
    return 1;
  }
  write(io.stdout, t(`Embedded lab (${state.layout}), started ${state.startedAt}`, `內建實驗環境（${state.layout}），啟動於 ${state.startedAt}`));
  for (const p of processes) write(io.stdout, `  ${p.running ? '✔' : '✖'} ${p.name.padEnd(26)} pid ${String(p.pid).padEnd(8)} ${p.port ? `127.0.0.1:${p.port}`.padEnd(16) : ''.padEnd(16)} ${p.health}`);
  return processes.every((p) => p.running && (p.health === 'ready' || p.health === 'running')) ? 0 : 1;
}
