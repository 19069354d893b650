import { execute, type CommandInput } from './kit.js';

/** `workbook verify [chapter|all]`: only the checks; changes nothing (default: all). */
export async function run({ lab, io, flags, positional }: CommandInput): Promise<number> {
  const { selectChapters } = await import('../core/catalog.js');
  return execute(selectChapters(positional), 'verify', lab, io, flags);
}
