import { execute, type CommandInput } from './kit.js';
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
  return execute([CATALOG[0]!], 'verify', lab, io, flags);
}
