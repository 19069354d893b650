import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from '../core/paths.js';
import { UsageError, say, write, type CommandInput } from './kit.js';
import { COMMON, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'lab',
  usage: 'lab <up|down|status|restart|stop|start> [name...] [--microservices]',
  positional: 'action-and-names',
  flags: [...COMMON, 'otlp-url'],
  own: {
    microservices: { type: 'boolean', help: { en: 'lab up: Tempo as eight processes (distributor, three ingesters, query-frontend, querier, compactor, metrics generator)', 'zh-TW': 'lab up：以八個行程執行 Tempo（distributor、三個 ingester、query-frontend、querier、compactor、metrics generator）' } },
    'tempo-bin': { type: 'string', value: 'PATH', help: { en: 'lab up: the Tempo 2.2.2 binary (default: WORKBOOK_TEMPO_BIN, tempo-bin in the settings file, tempo on PATH, else the pinned release, downloaded and checked)', 'zh-TW': 'lab up：Tempo 2.2.2 執行檔（預設：WORKBOOK_TEMPO_BIN、設定檔的 tempo-bin、PATH 上的 tempo，否則下載並驗證固定版本的發行檔）' } },
    'prometheus-bin': { type: 'string', value: 'PATH', help: { en: 'lab up: the Prometheus binary (default: WORKBOOK_PROMETHEUS_BIN, prometheus-bin in the settings file, prometheus on PATH, else the pinned release, downloaded and checked)', 'zh-TW': 'lab up：Prometheus 執行檔（預設：WORKBOOK_PROMETHEUS_BIN、設定檔的 prometheus-bin、PATH 上的 prometheus，否則下載並驗證固定版本的發行檔）' } },
    values: { type: 'string', value: 'FILE', help: { en: 'lab restart prometheus|tempo: lay this values file over the article\'s (none: the article\'s values alone)', 'zh-TW': 'lab restart prometheus|tempo：把這個 values 檔疊在文章的 values 上（不指定：只用文章的 values）' } },
    's3-endpoint': { type: 'string', value: 'HOST:PORT', help: { en: 'lab up --profile article-minio: the S3-compatible server (MinIO, or another) that keeps Tempo\'s blocks, with the profile\'s bucket and keys', 'zh-TW': 'lab up --profile article-minio：存放 Tempo 區塊的 S3 相容伺服器（MinIO 或其他），使用該版本組合的 bucket 與金鑰' } },
    replace: { type: 'boolean', help: { en: 'lab up: replace a running embedded lab of another layout or profile (otherwise it asks, or refuses without a terminal)', 'zh-TW': 'lab up：取代正在執行、版面配置或版本組合不同的內建實驗環境（否則會先詢問；沒有終端機時則拒絕）' } },
    spoilers: { type: 'boolean', help: { en: 'lab status: also what a challenge under way changed (its values file, where the traffic goes)', 'zh-TW': 'lab status：同時顯示進行中的挑戰改了什麼（它的 values 檔、流量送往哪裡）' } },
    changes: { type: 'boolean', help: { en: 'lab status: every way the lab\'s Tempo and Prometheus differ from what the charts render, and why', 'zh-TW': 'lab status：列出實驗環境的 Tempo 與 Prometheus 和 chart 產生的設定有哪些不同，以及原因' } },
    'no-traffic': { type: 'boolean', help: { en: 'lab up: do not start the shop\'s traffic with the lab', 'zh-TW': 'lab up：不要同時啟動商店流量' } },
  },
  summary: {
    en: 'the embedded lab: real Tempo and Prometheus on 127.0.0.1, no Docker or kind needed (up, down, status; restart, stop, start a part of it)',
    'zh-TW': '內建實驗環境：在 127.0.0.1 上執行真正的 Tempo 與 Prometheus，不需要 Docker 或 kind（up、down、status；restart、stop、start 其中一部分）',
  },
};

const ACTIONS = ['up', 'down', 'status', 'restart', 'stop', 'start'] as const;

/** `workbook lab <up|down|status|restart|stop|start>`. */
export async function run({ lab, io, flags, positionals = [] }: CommandInput): Promise<number> {
  const [action = 'status', ...names] = positionals;
  if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) throw new UsageError(`unknown action "${action}" (lab ${ACTIONS.join('|')})`);
  const named = action === 'restart' || action === 'stop' || action === 'start';
  if (!named && names.length) throw new UsageError(`unexpected argument "${names[0]}" (usage: workbook ${spec.usage})`);
  if (named && !names.length) throw new UsageError(action === 'restart' ? 'lab restart needs a part: prometheus, tempo or traffic' : `lab ${action} needs the name of a process (\`workbook lab status\` lists them)`);
  if (flags.values && action !== 'restart') throw new UsageError('--values goes with `lab restart prometheus|tempo`');
  if (flags.changes && action !== 'status') throw new UsageError('--changes goes with `lab status`');
  if (flags.spoilers && action !== 'status') throw new UsageError('--spoilers goes with `lab status`');
  if (flags['s3-endpoint'] && action !== 'up') throw new UsageError('--s3-endpoint goes with `lab up --profile article-minio`');
  if (typeof flags['s3-endpoint'] === 'string' && !/^[\w.-]+:\d{1,5}$/.test(flags['s3-endpoint'])) throw new UsageError(`--s3-endpoint ${flags['s3-endpoint']}: give HOST:PORT (e.g. 127.0.0.1:9000)`);
  const t = (en: string, zh: string) => say({ en, 'zh-TW': zh }, lab.lang);
  const e = await import('../effects/embedded-lab.js');
  const { mkdirp } = await import('../effects/files.js');
  await mkdirp(lab.stateDir);
  const log = (l: string) => write(io.stdout, `  ${l}`);
  if (action === 'restart') {
    const [part, more] = names;
    if (more) throw new UsageError(`lab restart takes one part (${e.COMPONENTS.join(', ')}), not "${more}"`);
    if (!e.COMPONENTS.includes(part as never)) throw new UsageError(`lab restart: no part "${part}" (${e.COMPONENTS.join(', ')})`);
    const c = part as (typeof e.COMPONENTS)[number];
    if (flags.values && c === 'traffic') throw new UsageError('--values goes with prometheus or tempo; the traffic takes --otlp-url');
    if (flags['otlp-url'] && c !== 'traffic') throw new UsageError('--otlp-url goes with `lab restart traffic`');
    const values = typeof flags.values === 'string' ? flags.values : undefined;
    const otlpUrl = typeof flags['otlp-url'] === 'string' ? flags['otlp-url'] : undefined;
    const overlays = values ? [valuesFile(values, io.cwd)] : undefined;
    await e.labRestart(lab.stateDir, c, { ...(overlays ? { overlays } : {}), ...(otlpUrl ? { trafficUrl: otlpUrl } : {}), log });
    write(io.stdout, overlays ? t(`Restarted ${c} with ${flags.values} laid over the article's values.`, `已重新啟動 ${c}，並在文章的 values 上疊加 ${flags.values}。`) : t(`Restarted ${c}${c === 'traffic' ? '' : ' with the article\'s values'}.`, `已重新啟動 ${c}${c === 'traffic' ? '' : '，使用文章的 values'}。`));
    return 0;
  }
  if (action === 'stop') {
    const stopped = await e.labStop(lab.stateDir, names);
    write(io.stdout, stopped.length ? t(`Stopped ${stopped.join(', ')} (\`workbook lab start ${names.join(' ')}\` starts them again).`, `已停止 ${stopped.join('、')}（\`workbook lab start ${names.join(' ')}\` 可再次啟動）。`) : t('Nothing to stop: they had already ended.', '沒有需要停止的：它們都已結束。'));
    return 0;
  }
  if (action === 'start') {
    const started = await e.labStart(lab.stateDir, names, log);
    write(io.stdout, started.length ? t(`Started ${started.join(', ')} again.`, `已再次啟動 ${started.join('、')}。`) : t('Nothing to start: they are running.', '沒有需要啟動的：它們都在執行中。'));
    return 0;
  }
  if (action === 'up') {
    const layout = flags.microservices ? 'microservices' : 'monolithic';
    // a running lab of another layout or profile is the learner's: replaced only when they say so
    const { runningLab } = await import('../effects/embedded-state.js');
    const running = runningLab(lab.stateDir);
    if (running && (running.layout !== layout || running.profile !== lab.profile.name) && !flags.replace) {
      const what = t(`an embedded lab (${running.layout}, profile ${running.profile}) is up here; \`lab up\` would stop it and start a ${layout} one (profile ${lab.profile.name})`, `這裡已有內建實驗環境在執行（${running.layout}，版本組合 ${running.profile}）；\`lab up\` 會停止它並啟動 ${layout}（版本組合 ${lab.profile.name}）`);
      if (!lab.interactive) throw new UsageError(`${what}: give --replace, or \`workbook lab down\` first`);
      const p = await import('@clack/prompts');
      const ok = await p.confirm({ input: io.stdin as never, output: io.stdout, message: `${what}. ${t('Replace it?', '要取代它嗎？')}`, initialValue: false });
      if (ok !== true) {
        write(io.stdout, t('Nothing was changed: the running lab stays.', '沒有任何變更：執行中的實驗環境保留。'));
        return 0;
      }
    }
    // Tempo 3's microservices need a Kafka broker: java and its jars (named, or the pinned set downloaded once and
    // checked), or one line before anything is touched
    const kafkaLib = await e.kafkaLibFor(layout, lab.profile.name, { env: io.env, stateDir: lab.stateDir, log });
    const tempoBin = await e.findBinary('tempo', lab, io.env, log);
    const prometheusBin = await e.findBinary('prometheus', lab, io.env, log);
    const { state, adopted } = await e.labUp({
      stateDir: lab.stateDir,
      layout,
      tempoBin,
      prometheusBin,
      traffic: !flags['no-traffic'],
      profile: lab.profile.name,
      ...(typeof flags['s3-endpoint'] === 'string' ? { s3Endpoint: flags['s3-endpoint'] } : {}),
      ...(kafkaLib ? { kafkaLib } : {}),
      onStart: () => write(io.stdout, t(`Starting the embedded lab (${layout}) under ${e.labDir(lab.stateDir)}`, `正在啟動內建實驗環境（${layout}），位於 ${e.labDir(lab.stateDir)}`)),
      log: (l) => write(io.stdout, `  ${l}`),
    });
    if (adopted) write(io.stdout, t('The embedded lab is already up; nothing was started.', '內建實驗環境已在執行；沒有啟動任何東西。'));
    write(io.stdout, t(`Ready. Tempo ${state.urls.tempo}, Prometheus ${state.urls.prometheus}. Every command uses it now: try \`workbook verify all\`; \`workbook lab down\` stops it.`, `已就緒。Tempo ${state.urls.tempo}、Prometheus ${state.urls.prometheus}。現在所有指令都會使用它：試試 \`workbook verify all\`；\`workbook lab down\` 會停止它。`));
    return 0;
  }
  if (action === 'down') {
    const { stopped, found, problem } = await e.labDown(lab.stateDir);
    if (problem) write(io.stdout, t(`${problem}: set aside as lab.json.corrupt; every process marked as this lab's was stopped.`, `${problem}：已另存為 lab.json.corrupt；所有標記為此實驗環境的行程都已停止。`));
    write(io.stdout, found ? t(`Stopped ${stopped.length ? stopped.join(', ') : 'nothing (every process had already ended)'}; data and logs stay under ${e.labDir(lab.stateDir)}.`, `已停止 ${stopped.length ? stopped.join('、') : '（所有行程都已結束）'}；資料與記錄檔保留在 ${e.labDir(lab.stateDir)}。`) : t('No embedded lab is recorded here.', '這裡沒有內建實驗環境的紀錄。'));
    return 0;
  }
  const { state, processes } = await e.labStatus(lab.stateDir);
  if (!state) {
    write(io.stdout, t('No embedded lab: `workbook lab up` starts one.', '沒有內建實驗環境：`workbook lab up` 可啟動一個。'));
    return 1;
  }
  write(io.stdout, t(`Embedded lab (${state.layout}), started ${state.startedAt}`, `內建實驗環境（${state.layout}），啟動於 ${state.startedAt}`));
  if (flags.changes) {
    const { tempo, prometheus } = await e.labChanges(state);
    const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
    write(io.stdout, t('What the lab runs differs from what the charts render (helm template with the same values) only here:', '實驗環境執行的設定和 chart 產生的（相同 values 的 helm template）只有以下差異：'));
    for (const [who, rows] of [['Tempo (tempo-distributed 1.6.5)', tempo], ['Prometheus (kube-prometheus-stack 51.2.0)', prometheus]] as const) {
      write(io.stdout, `\n  ${who}`);
      for (const r of rows) write(io.stdout, `  - ${r.field}: ${show(r.chart)} → ${show(r.lab)}\n      ${r.why}`);
    }
    return 0;
  }
  // a challenge under way keeps its secret: what it changed shows only when asked (--spoilers)
  const { ProgressStore } = await import('../effects/progress.js');
  const underWay = Object.entries((await ProgressStore.open(lab.stateDir).catch(() => undefined))?.data.challenges ?? {}).filter(([, c]) => c.status === 'broken').map(([id]) => id);
  const hide = underWay.length > 0 && !flags.spoilers;
  if (hide) write(io.stdout, t(`  a challenge is under way (${underWay.join(', ')}): what it changed stays hidden (\`workbook lab status --spoilers\` shows it)`, `  有挑戰正在進行（${underWay.join('、')}）：它改了什麼會先隱藏（\`workbook lab status --spoilers\` 可顯示）`));
  if (!hide) for (const [part, files] of Object.entries(state.overlays ?? {})) if (files?.length) write(io.stdout, t(`  ${part}: the article's values with ${files.join(', ')} laid over them (\`workbook lab restart ${part}\` drops it)`, `  ${part}：文章的 values 上疊了 ${files.join('、')}（\`workbook lab restart ${part}\` 會移除）`));
  if (state.trafficUrl && !hide) write(io.stdout, t(`  traffic: sends to ${state.trafficUrl} (\`workbook lab restart traffic\` sends to the lab's OTLP endpoint again)`, `  traffic：送往 ${state.trafficUrl}（\`workbook lab restart traffic\` 會改回實驗環境的 OTLP 端點）`));
  for (const p of processes) write(io.stdout, `  ${p.running ? '✔' : '✖'} ${p.name.padEnd(26)} pid ${String(p.pid).padEnd(8)} ${p.port ? `127.0.0.1:${p.port}`.padEnd(16) : ''.padEnd(16)} ${p.health}`);
  return processes.every((p) => p.running && (p.health === 'ready' || p.health === 'running')) ? 0 : 1;
}

/** A values file named on the command line: relative to the working folder, and there. */
function valuesFile(f: string, cwd: string): string {
  for (const path of [resolve(cwd, f), resolve(ROOT, f)]) if (existsSync(path)) return path;
  throw new UsageError(`--values ${f}: no such file`);
}
