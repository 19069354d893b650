import { lessonText, UsageError, write, type CommandInput } from './kit.js';
import { COMMON, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'lesson',
  usage: 'lesson <chapter>',
  positional: 'chapter',
  flags: [...COMMON],
  summary: { en: "print a chapter's lesson", 'zh-TW': '顯示章節課文' },
};

/** `workbook lesson <chapter>`: the lesson, rendered for the terminal. */
export async function run({ lab, io, positional }: CommandInput): Promise<number> {
  if (!positional) throw new UsageError({ en: 'which chapter? (usage: workbook lesson <chapter>)', 'zh-TW': '哪一章？（用法：workbook lesson <章節>）' });
  const { findChapter } = await import('../core/catalog.js');
  write(io.stdout, await lessonText(findChapter(positional), lab, io.stdout));
  return 0;
}
