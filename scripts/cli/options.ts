import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import type { Text } from '../core/text.js';
import type { UrlName } from '../core/model.js';
import { ENDPOINTS, OPEN_TARGETS, URL_NAMES, urlFlag } from '../core/endpoints.js';

type UrlFlag = `${UrlName}-url`;
type FlagSpec = { type: 'boolean' | 'string'; short?: string; value?: string; help: Text };

/** --<endpoint>-url for every endpoint a learner can name (scripts/core/endpoints.ts). */
const URL_FLAGS = Object.fromEntries(URL_NAMES.map((u) => [urlFlag(u), { type: 'string', value: 'URL', help: ENDPOINTS[u].help! }])) as Record<UrlFlag, { type: 'string'; value: 'URL'; help: Text }>;

/** Flags as data: parseArgs reads this table, help is printed from it, settings are typed from it. */
const BASE_FLAGS = {
  yes: { type: 'boolean', short: 'y', help: { en: 'answer yes to every confirmation (assumed under CI)', 'zh-TW': '所有確認都回答「是」（CI 環境下預設開啟）' } },
  lang: { type: 'string', value: 'en|zh-TW', help: { en: 'language of lessons and hints (default: from LANG)', 'zh-TW': '課文與提示的語言（預設依 LANG）' } },
  profile: { type: 'string', value: 'NAME', help: { en: 'versions profile from manifests/versions.yaml (default: article)', 'zh-TW': 'manifests/versions.yaml 中的版本組合（預設 article）' } },
  context: { type: 'string', value: 'NAME', help: { en: 'kube context to use (default: kind-<cluster>)', 'zh-TW': '要使用的 kube context（預設 kind-<叢集名稱>）' } },
  cluster: { type: 'string', value: 'NAME', help: { en: 'kind cluster name (default: tempo-lab)', 'zh-TW': 'kind 叢集名稱（預設 tempo-lab）' } },
  timeout: { type: 'string', value: 'DURATION', help: { en: 'how long a check may keep re-probing, e.g. 90s, 5m (default: 3m)', 'zh-TW': '每個檢查最多重試多久，例如 90s、5m（預設 3m）' } },
  count: { type: 'string', value: 'N', help: { en: 'traffic: how many traces (0 = until Ctrl-C; default 60)', 'zh-TW': 'traffic：要送幾筆追蹤（0 表示直到 Ctrl-C；預設 60）' } },
  rate: { type: 'string', value: 'PER_SECOND', help: { en: 'traffic: traces per second (default 2)', 'zh-TW': 'traffic：每秒送出的追蹤數（預設 2）' } },
  'state-dir': { type: 'string', value: 'DIR', help: { en: 'where progress is kept (default: ~/.local/state/tempo-workbook)', 'zh-TW': '進度檔存放的資料夾（預設 ~/.local/state/tempo-workbook）' } },
  config: { type: 'string', value: 'FILE', help: { en: 'settings file (default: ./workbook.config.yaml if present)', 'zh-TW': '設定檔（預設：若存在則用 ./workbook.config.yaml）' } },
  json: { type: 'string', value: 'FILE', help: { en: 'also write a JSON report of every check', 'zh-TW': '另外輸出每個檢查結果的 JSON 報告' } },
  junit: { type: 'string', value: 'FILE', help: { en: 'also write a JUnit XML report of every check', 'zh-TW': '另外輸出 JUnit XML 報告' } },
  fast: { type: 'boolean', help: { en: 'run all: overlap independent work (pulls while the cluster starts, both installs together)', 'zh-TW': 'run all：讓彼此獨立的工作同時進行（建立叢集時拉取映像檔、兩個安裝同時執行）' } },
  'show-secrets': { type: 'boolean', help: { en: 'print passwords read from the cluster', 'zh-TW': '顯示從叢集讀到的密碼' } },
  help: { type: 'boolean', short: 'h', help: { en: 'show help', 'zh-TW': '顯示說明' } },
  version: { type: 'boolean', short: 'v', help: { en: 'show the version', 'zh-TW': '顯示版本' } },
} as const satisfies Record<string, FlagSpec>;

export const FLAGS = { ...BASE_FLAGS, ...URL_FLAGS };

export type FlagName = keyof typeof FLAGS;
export type Flags = { [K in FlagName]?: (typeof FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

const COMMON: FlagName[] = ['lang', 'profile', 'context', 'cluster', 'state-dir', 'config', 'help'];
const ENDPOINT_FLAGS: FlagName[] = [...URL_NAMES.filter((u) => u !== 'otlp').map(urlFlag), 'timeout'];

export interface CommandSpec {
  name: string;
  usage: string;
  summary: Text;
  /** kind of positional argument */
  positional: 'none' | 'chapter' | 'chapter-or-all' | 'endpoint';
  flags: FlagName[];
}

export const COMMANDS: CommandSpec[] = [
  { name: 'run', usage: 'run [chapter|all]', positional: 'chapter-or-all', flags: [...COMMON, ...ENDPOINT_FLAGS, 'yes', 'show-secrets', 'json', 'junit', 'fast'], summary: { en: 'read a chapter, run its commands, then verify it (default: where you left off)', 'zh-TW': '閱讀章節、執行指令並驗證（預設從上次停下的地方繼續）' } },
  { name: 'verify', usage: 'verify [chapter|all]', positional: 'chapter-or-all', flags: [...COMMON, ...ENDPOINT_FLAGS, 'yes', 'json', 'junit', 'show-secrets'], summary: { en: 'run only the checks, change nothing (default: all)', 'zh-TW': '只執行檢查，不做任何變更（預設全部）' } },
  { name: 'plan', usage: 'plan [chapter|all]', positional: 'chapter-or-all', flags: [...COMMON, 'fast'], summary: { en: 'print every command and manifest a chapter would use; runs nothing', 'zh-TW': '列出章節會執行的所有指令與 manifest，不實際執行' } },
  { name: 'lesson', usage: 'lesson <chapter>', positional: 'chapter', flags: [...COMMON], summary: { en: "print a chapter's lesson", 'zh-TW': '顯示章節課文' } },
  { name: 'open', usage: `open <${OPEN_TARGETS.join('|')}>`, positional: 'endpoint', flags: [...COMMON, ...OPEN_TARGETS.map((t) => urlFlag(ENDPOINTS[t].url!)), 'show-secrets'], summary: { en: 'port-forward Grafana (or Prometheus, Tempo) to 127.0.0.1 and keep it open until Ctrl-C', 'zh-TW': '把 Grafana（或 Prometheus、Tempo）port-forward 到 127.0.0.1，直到按下 Ctrl-C' } },
  { name: 'prefetch', usage: 'prefetch', positional: 'none', flags: [...COMMON], summary: { en: 'pull every image the pinned stack uses, then load them into the lab cluster (for slow networks)', 'zh-TW': '預先拉取鎖定版本用到的所有映像檔，再載入實驗叢集（網路慢時使用）' } },
  { name: 'traffic', usage: 'traffic', positional: 'none', flags: [...COMMON, 'otlp-url', 'count', 'rate'], summary: { en: "send the article's three trace templates over OTLP/HTTP (when the xk6 image cannot be pulled)", 'zh-TW': '以 OTLP/HTTP 送出文章的三種追蹤模板（無法拉取 xk6 映像檔時使用）' } },
  { name: 'doctor', usage: 'doctor', positional: 'none', flags: [...COMMON, 'timeout', 'yes', 'json', 'junit'], summary: { en: 'check this machine is ready (chapter 0)', 'zh-TW': '檢查這台機器是否準備好（第 0 章）' } },
  { name: 'status', usage: 'status', positional: 'none', flags: [...COMMON], summary: { en: 'show progress: each chapter, pass/fail, time taken', 'zh-TW': '顯示進度：各章節通過與否及耗時' } },
  { name: 'down', usage: 'down', positional: 'none', flags: [...COMMON, 'yes', 'timeout'], summary: { en: 'delete the lab cluster, only if the workbook created it, after you confirm (chapter 8)', 'zh-TW': '刪除實驗叢集（僅限工作手冊建立的，且需你確認）（第 8 章）' } },
  { name: 'reset', usage: 'reset', positional: 'none', flags: [...COMMON, 'yes'], summary: { en: 'forget progress (keeps a backup; touches no cluster)', 'zh-TW': '清除進度（保留備份，不動叢集）' } },
];

export interface ParsedArgs {
  command: string | undefined;
  positional: string | undefined;
  flags: Flags;
}

/** Parse argv strictly: unknown flags and stray arguments are usage errors (exit 2). */
export function parseCli(argv: string[]): ParsedArgs {
  const first = argv[0];
  const spec = first && !first.startsWith('-') ? COMMANDS.find((c) => c.name === first) : undefined;
  if (first && !first.startsWith('-') && !spec) {
    const names = COMMANDS.map((c) => c.name).join(', ');
    throw new UsageError({ en: `unknown command "${first}" (commands: ${names}; see workbook --help)`, 'zh-TW': `沒有 "${first}" 這個指令（指令：${names}；請見 workbook --help）` });
  }
  // the menu runs chapters too: it takes every flag they take
  const allowed = spec ? spec.flags : ([...COMMON, ...ENDPOINT_FLAGS, 'version', 'yes', 'show-secrets'] as FlagName[]);
  const options = Object.fromEntries(
    allowed.map((f) => {
      const d = FLAGS[f] as { type: 'boolean' | 'string'; short?: string };
      return [f, d.short ? { type: d.type, short: d.short } : { type: d.type }];
    }),
  );
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: spec ? argv.slice(1) : argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(usageMessage((err as Error).message, spec?.name));
  }
  const { values, positionals } = parsed;
  const maxPositionals = !spec || spec.positional === 'none' ? 0 : 1;
  if (positionals.length > maxPositionals && !values.help) {
    const usage = spec ? ` (usage: workbook ${spec.usage})` : '';
    throw new UsageError({ en: `unexpected argument "${positionals[maxPositionals]}"${usage}`, 'zh-TW': `多出的參數 "${positionals[maxPositionals]}"${spec ? `（用法：workbook ${spec.usage}）` : ''}` });
  }
  return { command: spec?.name, positional: positionals[0], flags: values as Flags };
}

function usageMessage(raw: string, command: string | undefined): Text {
  const unknown = /Unknown option '([^']+)'/.exec(raw);
  const where = command ? `workbook ${command} --help` : 'workbook --help';
  if (unknown) return { en: `unknown flag ${unknown[1]} (see ${where})`, 'zh-TW': `沒有 ${unknown[1]} 這個選項（請見 ${where}）` };
  const ambiguous = /Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(raw);
  if (ambiguous) return { en: `flag ${ambiguous[1]}: a value that starts with "-" is written ${ambiguous[1]}=VALUE (see ${where})`, 'zh-TW': `選項 ${ambiguous[1]}：以 "-" 開頭的值請寫成 ${ambiguous[1]}=值（請見 ${where}）` };
  const missing = /Option '([^']+?)(?: <value>)?' argument missing/.exec(raw);
  if (missing) {
    const flag = missing[1]!.replace(/^-\w, /, '');
    return { en: `flag ${flag} needs a value (see ${where})`, 'zh-TW': `選項 ${flag} 需要一個值（請見 ${where}）` };
  }
  return { en: `${raw.split('\n')[0]} (see ${where})`, 'zh-TW': `${raw.split('\n')[0]}（請見 ${where}）` };
}
