import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import type { Text } from '../core/text.js';
import type { UrlName } from '../core/model.js';
import { ENDPOINTS, URL_NAMES, urlFlag } from '../core/endpoints.js';

type UrlFlag = `${UrlName}-url`;
export type FlagSpec = { type: 'boolean' | 'string'; short?: string; value?: string; help: Text };

/** --<endpoint>-url for every endpoint a learner can name (scripts/core/endpoints.ts). */
const URL_FLAGS = Object.fromEntries(URL_NAMES.map((u) => [urlFlag(u), { type: 'string', value: 'URL', help: ENDPOINTS[u].help! }])) as Record<UrlFlag, { type: 'string'; value: 'URL'; help: Text }>;

/**
 * The flags commands share, as data: parseArgs reads this table, help is printed from it, settings are typed from
 * it. A flag only one command takes is declared in that command's file (its spec's `own`).
 */
const BASE_FLAGS = {
  yes: { type: 'boolean', short: 'y', help: { en: 'answer yes to every confirmation (assumed under CI)', 'zh-TW': '所有確認都回答「是」（CI 環境下預設開啟）' } },
  lang: { type: 'string', value: 'en|zh-TW', help: { en: 'language of lessons and hints (default: from LANG)', 'zh-TW': '課文與提示的語言（預設依 LANG）' } },
  profile: { type: 'string', value: 'NAME', help: { en: 'versions profile from manifests/versions.yaml (default: article)', 'zh-TW': 'manifests/versions.yaml 中的版本組合（預設 article）' } },
  context: { type: 'string', value: 'NAME', help: { en: 'kube context to use (default: kind-<cluster>)', 'zh-TW': '要使用的 kube context（預設 kind-<叢集名稱>）' } },
  cluster: { type: 'string', value: 'NAME', help: { en: 'kind cluster name (default: tempo-lab)', 'zh-TW': 'kind 叢集名稱（預設 tempo-lab）' } },
  timeout: { type: 'string', value: 'DURATION', help: { en: 'how long a check may keep re-probing, e.g. 90s, 5m (default: 3m)', 'zh-TW': '每個檢查最多重試多久，例如 90s、5m（預設 3m）' } },
  'state-dir': { type: 'string', value: 'DIR', help: { en: 'where progress is kept (default: ~/.local/state/tempo-workbook)', 'zh-TW': '進度檔存放的資料夾（預設 ~/.local/state/tempo-workbook）' } },
  config: { type: 'string', value: 'FILE', help: { en: 'settings file (default: ./workbook.config.yaml if present)', 'zh-TW': '設定檔（預設：若存在則用 ./workbook.config.yaml）' } },
  json: { type: 'string', value: 'FILE', help: { en: 'also write a JSON report of every check', 'zh-TW': '另外輸出每個檢查結果的 JSON 報告' } },
  junit: { type: 'string', value: 'FILE', help: { en: 'also write a JUnit XML report of every check', 'zh-TW': '另外輸出 JUnit XML 報告' } },
  fast: { type: 'boolean', help: { en: 'run all: overlap independent work (pulls while the cluster starts, both installs together)', 'zh-TW': 'run all：讓彼此獨立的工作同時進行（建立叢集時拉取映像檔、兩個安裝同時執行）' } },
  'show-secrets': { type: 'boolean', help: { en: 'print passwords read from the cluster', 'zh-TW': '顯示從叢集讀到的密碼' } },
  'show-how': { type: 'boolean', help: { en: 'under each check, the requests it made, as commands to paste (curl, kubectl)', 'zh-TW': '在每項檢查下方列出它發出的請求，可直接貼上執行的指令（curl、kubectl）' } },
  help: { type: 'boolean', short: 'h', help: { en: 'show help', 'zh-TW': '顯示說明' } },
  version: { type: 'boolean', short: 'v', help: { en: 'show the version', 'zh-TW': '顯示版本' } },
} as const satisfies Record<string, FlagSpec>;

export const FLAGS = { ...BASE_FLAGS, ...URL_FLAGS };

export type FlagName = keyof typeof FLAGS;
export type Flags = { [K in FlagName]?: (typeof FLAGS)[K]['type'] extends 'boolean' ? boolean : string } & {
  /** a command's own flags (CommandSpec.own), by name */
  [own: string]: string | boolean | undefined;
};

export const COMMON: FlagName[] = ['lang', 'profile', 'context', 'cluster', 'state-dir', 'config', 'help'];
export const ENDPOINT_FLAGS: FlagName[] = [...URL_NAMES.filter((u) => u !== 'otlp').map(urlFlag), 'timeout'];

export interface CommandSpec {
  name: string;
  usage: string;
  summary: Text;
  /** flags only this command takes, declared beside it */
  own?: Record<string, FlagSpec>;
  /** kind of positional argument */
  positional: 'none' | 'chapter' | 'chapter-or-all' | 'endpoint' | 'path' | 'action-and-name' | 'action-and-names';
  flags: FlagName[];
}


export interface ParsedArgs {
  command: string | undefined;
  positional: string | undefined;
  /** every positional argument (`challenge start <id>` has two) */
  positionals: string[];
  flags: Flags;
}

/**
 * Global flags may come before the command (`workbook --yes status`, `workbook --lang zh-TW plan all`): the first
 * argument that is not a flag or a flag's value is the command, moved to the front. Flags are known by name from
 * every command's table, so a value (`--state-dir status`) is never taken for the command.
 */
function commandFirst(argv: string[], commands: readonly CommandSpec[]): string[] {
  if (!argv.length || !argv[0]!.startsWith('-')) return argv;
  const all: [string, FlagSpec][] = [...Object.entries(FLAGS) as [string, FlagSpec][], ...commands.flatMap((c) => Object.entries(c.own ?? {}))];
  const options = Object.fromEntries(all.map(([f, d]) => [f, d.short ? { type: d.type, short: d.short } : { type: d.type }]));
  let tokens: { kind: string; index: number }[];
  try {
    tokens = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true }).tokens as { kind: string; index: number }[];
  } catch {
    return argv;
  }
  const at = tokens.find((t) => t.kind === 'positional' || t.kind === 'option-terminator');
  if (!at || at.kind !== 'positional') return argv;
  return [argv[at.index]!, ...argv.slice(0, at.index), ...argv.slice(at.index + 1)];
}

/** Parse argv strictly against the commands' specs (each in its file under scripts/commands/): unknown flags and stray arguments are usage errors (exit 2). */
export function parseCli(argvIn: string[], commands: readonly CommandSpec[]): ParsedArgs {
  const argv = commandFirst(argvIn, commands);
  const first = argv[0];
  const spec = first && !first.startsWith('-') ? commands.find((c) => c.name === first) : undefined;
  if (first && !first.startsWith('-') && !spec) {
    const names = commands.map((c) => c.name).join(', ');
    throw new UsageError({ en: `unknown command "${first}" (commands: ${names}; see workbook --help)`, 'zh-TW': `沒有 "${first}" 這個指令（指令：${names}；請見 workbook --help）` });
  }
  // the menu runs chapters too: it takes every flag they take
  const allowed = spec ? [...spec.flags] : ([...COMMON, ...ENDPOINT_FLAGS, 'version', 'yes', 'show-secrets'] as FlagName[]);
  // flags written before the command are global: the shared ones (and --yes) are taken by every command
  if (spec && argv !== argvIn) for (const f of [...COMMON, 'yes'] as FlagName[]) if (!allowed.includes(f)) allowed.push(f);
  const specs: [string, FlagSpec][] = [...allowed.map((f) => [f, FLAGS[f] as FlagSpec] as [string, FlagSpec]), ...Object.entries(spec?.own ?? {})];
  const options = Object.fromEntries(specs.map(([f, d]) => [f, d.short ? { type: d.type, short: d.short } : { type: d.type }]));
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: spec ? argv.slice(1) : argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(usageMessage((err as Error).message, spec?.name));
  }
  const { values, positionals } = parsed;
  // an empty value (`--json ''`, `--state-dir ''`) is a mistake, never "use the default" or "write nothing"
  for (const [name, v] of Object.entries(values)) if (v === '') throw new UsageError({ en: `--${name} needs a value (it was empty)`, 'zh-TW': `--${name} 需要一個值（目前是空的）` });
  const maxPositionals = !spec || spec.positional === 'none' ? 0 : spec.positional === 'action-and-names' ? Infinity : spec.positional === 'action-and-name' ? 2 : 1;
  if (positionals.length > maxPositionals && !values.help) {
    const usage = spec ? ` (usage: workbook ${spec.usage})` : '';
    throw new UsageError({ en: `unexpected argument "${positionals[maxPositionals]}"${usage}`, 'zh-TW': `多出的參數 "${positionals[maxPositionals]}"${spec ? `（用法：workbook ${spec.usage}）` : ''}` });
  }
  return { command: spec?.name, positional: positionals[0], positionals, flags: values as Flags };
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
