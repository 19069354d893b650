import { write, type CommandInput } from './kit.js';
import { COMMON, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'status',
  usage: 'status',
  positional: 'none',
  flags: [...COMMON],
  summary: { en: 'show progress: each chapter, pass/fail, time taken', 'zh-TW': '顯示進度：各章節通過與否及耗時' },
};

/** `workbook status`: per chapter, passed/failed, items, time taken. */
export async function run({ lab, io }: CommandInput): Promise<number> {
  const { ProgressStore } = await import('../effects/progress.js');
  const store = await ProgressStore.open(lab.stateDir);
  if (store.notice) write(io.stderr, `warning: ${store.notice}`);
  const { renderStatus } = await import('../ui/status.js');
  write(io.stdout, renderStatus(store.data, store.file, lab.lang, lab));
  return 0;
}
