import { URL_NAMES, urlFlag } from '../core/endpoints.js';
import { FLAGS, type CommandSpec, type FlagName, type FlagSpec } from './options.js';
import type { Lang } from '../core/text.js';
import { CHAPTER_FOLDER, chapterFolders } from '../core/chapter-folders.js';

const HEAD = {
  en: 'tempo-workbook — Grafana Tempo in microservices mode on a local kind cluster, chapter by chapter, each step proven by API checks.',
  'zh-TW': 'tempo-workbook — 在本機 kind 叢集上逐章建置微服務模式的 Grafana Tempo，每一步都以 API 檢查驗證。',
};
const TAIL = {
  en: 'Without a command, in a terminal: an interactive menu (continue, pick a chapter, verify, reset).\nChapters: {chapters}.\nExit codes: 0 all passed, 1 a step or check failed, 2 bad input, 130 cancelled.',
  'zh-TW': '不帶指令且在終端機中執行時，會顯示互動選單（繼續、選擇章節、驗證、重設）。\n章節：{chapters}。\n結束代碼：0 全部通過、1 有步驟或檢查失敗、2 輸入錯誤、130 已取消。',
};

function flagLines(names: readonly string[], lang: Lang, own: Record<string, FlagSpec> = {}): string[] {
  return names.map((n) => {
    const f = (own[n] ?? FLAGS[n as FlagName]) as { short?: string; value?: string; help: Record<Lang, string> };
    const left = `${f.short ? `-${f.short}, ` : '    '}--${n}${f.value ? ` ${f.value}` : ''}`;
    return `  ${left.padEnd(30)} ${f.help[lang]}`;
  });
}

/** The chapters by their folders' names (`05-traces` → "5 traces"), without loading any chapter. */
function chapterNames(lang: Lang): string {
  return chapterFolders().map((d) => {
    const [, nn, id] = CHAPTER_FOLDER.exec(d)!;
    return `${Number(nn)} ${id}`;
  }).join(lang === 'zh-TW' ? '、' : ', ');
}

export function mainHelp(commands: readonly CommandSpec[], lang: Lang): string {
  const cmds = commands.map((c) => `  ${c.usage.padEnd(24)} ${c.summary[lang]}`);
  const common: FlagName[] = ['yes', 'lang', 'profile', 'context', 'cluster', 'timeout', ...URL_NAMES.filter((u) => u !== 'otlp').map(urlFlag), 'state-dir', 'config', 'help', 'version'];
  return [HEAD[lang], '', 'Usage: workbook [command] [options]', '', 'Commands:', ...cmds, '', 'Options:', ...flagLines(common, lang), '', TAIL[lang].replace('{chapters}', chapterNames(lang)), ''].join('\n');
}

export function commandHelp(spec: CommandSpec, lang: Lang): string {
  return [`Usage: workbook ${spec.usage} [options]`, '', spec.summary[lang], '', 'Options:', ...flagLines([...spec.flags, ...Object.keys(spec.own ?? {})], lang, spec.own), ''].join('\n');
}
