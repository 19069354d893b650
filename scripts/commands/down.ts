import { execute, type CommandInput } from './kit.js';
import { COMMON, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'down',
  usage: 'down',
  positional: 'none',
  flags: [...COMMON, 'yes', 'timeout'],
  summary: { en: 'delete the lab cluster, only if the workbook created it, after you confirm (chapter 8)', 'zh-TW': '刪除實驗叢集（僅限工作手冊建立的，且需你確認）（第 8 章）' },
};

/** `workbook down`: the teardown chapter (deletes only the cluster the workbook created, after a yes). */
export async function run({ lab, io, flags }: CommandInput): Promise<number> {
  const { teardownChapter } = await import('../core/catalog.js');
  return execute([teardownChapter()], 'run', lab, io, flags);
}
