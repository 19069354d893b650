import { execute, type CommandInput } from './kit.js';
import { COMMON, ENDPOINT_FLAGS, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'verify',
  usage: 'verify [chapter|all]',
  positional: 'chapter-or-all',
  flags: [...COMMON, ...ENDPOINT_FLAGS, 'yes', 'json', 'junit', 'show-secrets', 'show-how'],
  summary: { en: 'run only the checks, change nothing (default: all)', 'zh-TW': '只執行檢查，不做任何變更（預設全部）' },
};

/** `workbook verify [chapter|all]`: only the checks; changes nothing (default: all). */
export async function run({ lab, io, flags, positional }: CommandInput): Promise<number> {
  const { selectChapters } = await import('../core/catalog.js');
  return execute(selectChapters(positional), 'verify', lab, io, flags);
}
